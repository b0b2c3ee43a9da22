/** What the engine hands the registrar for one finished call, and what the outbox keeps of it. */
import type { CallFull } from '../../contracts/index.ts';

export interface CallToRegister {
  linkedid: string;
  /** The client's number, as the built-in rules and process_client_phone left it at call_ended. */
  phone: string;
  direction: 'inbound' | 'outbound';
  call_full: CallFull;
  /** The extension that answered, or null. */
  answeredBy: string | null;
  /** The last extension that rang (inbound) or placed the call (outbound), or null. */
  lastUser: string | null;
  /** The recording of the last answered conversation, when the PBX recorded it (a path under recordings.dir). */
  recording?: string | null;
}

/** How the registrar gets a recording's public link (engine/recordings; process_record_file_path runs inside). */
export interface RecordingLinker {
  linkFor(input: { path: string; call_full: CallFull }, linkedid: string): Promise<{ url: string | null }>;
}

/** The entity a call is attached to, as the steps found or created it. */
export interface EntityRef {
  /** A contact, or a company when no contact has the number (Kommo attaches the call to it). */
  type: 'contacts' | 'companies';
  id: number;
  name: string;
  responsible_user_id: number;
  is_new: boolean;
  leadIds: number[];
  unsortedUid?: string;
  /** Found in the phone index (engine/phone-index): no search was made, and `leadIds` is not known (empty). */
  indexed?: boolean;
}

export interface DealRef {
  id: number;
  name: string;
  pipeline_id: number;
  status_id: number;
  responsible_user_id: number;
  is_new: boolean;
}
