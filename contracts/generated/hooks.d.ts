// Generated from contracts/ by npm run gen:contracts — do not edit

/** The whole call, read-only. Keys are emitted in alphabetical order. */
interface CallFull {
  /** uniqueid of the conversation this stage is about; "" for call_ended */
  active_conversation_id: string;
  /** One Asterisk channel. */
  channel: Channel;
  /** keyed by the conversation channel's uniqueid */
  conversations: Record<string, Conversation>;
  deal: Deal | null;
  entity: Entity | null;
  /** missed inbound call that never rang a person (ended in IVR/queue) */
  is_ivr: boolean;
  /** public link to the recording, "" if none */
  record: string;
  /** reserved (always null for Kommo) */
  registration: null;
  /** SIP-like outcome: 200 answered, 486 busy, 480 no answer, 487 caller hung up while ringing, 404 wrong number, 503 unavailable, 603 declined, 0 unknown */
  result: number;
}

/** One Asterisk channel. */
interface Channel {
  /** "YYYY-MM-DD HH:MM:SS" in the PBX's time zone (config `pbx.timezone`); unset: "0001-01-01 00:00:00" */
  answer_time: string;
  /** "YYYY-MM-DD HH:MM:SS" in the PBX's time zone (config `pbx.timezone`); unset: "0001-01-01 00:00:00" */
  end_time: string;
  /** CEL-style extra of the channel's last event (hangupcause, hangupsource, dialstatus, ...) */
  extra: Record<string, string | number>;
  /** One end of a channel. */
  from: Party;
  /** channel uniqueid */
  id: string;
  /** uniqueid == linkedid */
  is_primary: boolean;
  /** channel name, e.g. "PJSIP/101-00000012" */
  name: string;
  /** "YYYY-MM-DD HH:MM:SS" in the PBX's time zone (config `pbx.timezone`); unset: "0001-01-01 00:00:00" */
  start_time: string;
  state: ChannelState;
  /** One end of a channel. */
  to: Party;
  trunk: Trunk | null;
  /** internal→internal local; external→internal incoming; internal→external outgoing */
  type: ChannelType;
  was_answered: boolean;
}

/** One leg that rang somebody. */
interface Conversation {
  /** One Asterisk channel. */
  channel: Channel;
  /** the client is parked/on hold in this conversation */
  is_parked: boolean;
  user: User | null;
}

/** One end of a channel. */
interface Party {
  /** the number matches the internal-number pattern */
  is_internal: boolean;
  /** CallerID name, "" if none */
  name: string;
  /** the number as Asterisk saw it */
  number: string;
}

/** The external line the call came in on or went out through. */
interface Trunk {
  /** the trunk channel's endpoint name */
  name: string;
  /** the DID dialled (inbound) or the trunk's CallerID (outbound) */
  number: string;
}

/** The Kommo user whose extension a conversation rang. */
interface User {
  extension: string;
  /** Kommo user id */
  id: number;
  name: string;
}

/** The Kommo contact (or company) found or created for the client. */
interface Entity {
  id: number;
  /** created by hookline for this call */
  is_new: boolean;
  name: string;
  responsible_user_id: number;
  type: "contacts" | "companies";
}

/** The Kommo lead this call is (or will be) attached to. */
interface Deal {
  id: number;
  is_new: boolean;
  name: string;
  pipeline_id: number;
  responsible_user_id: number;
  status_id: number;
}

type ChannelState = "ringing" | "talking" | "ended" | "processed";

/** internal→internal local; external→internal incoming; internal→external outgoing */
type ChannelType = "local" | "incoming" | "outgoing" | "unknown";

type CallStage = "conversation_requested" | "conversation_accepted" | "conversation_ended" | "call_ended";

/** Error codes hookline reports for a script (see docs/errors.md). */
type HooklineErrorCode = "COMPILE_ERROR" | "SCRIPT_ERROR" | "TIMEOUT" | "MEMORY_LIMIT" | "CONTRACT_VIOLATION" | "BAD_STATE" | "OUTPUT_NOT_JSON" | "OUTPUT_TOO_LARGE" | "NO_SCRIPT" | "SANDBOX_CRASH" | "QUARANTINED" | "INVALID_INPUT" | "STORE_CORRUPT" | "STORE_UNREADABLE" | "STORE_MISSING" | "STORE_TOO_NEW" | "STORE_IN_USE" | "EDITOR_LISTEN_FAILED" | "PUBLISH_REFUSED" | "PUBLISH_TYPE_ERRORS" | "PUBLISH_TESTS_FAILED" | "KOMMO_BAD_REQUEST" | "KOMMO_ENTITY_NOT_FOUND" | "KOMMO_UNAUTHORIZED" | "KOMMO_REFRESH_FAILED" | "KOMMO_FORBIDDEN" | "KOMMO_NOT_FOUND" | "KOMMO_TOO_MANY_ENTITIES" | "KOMMO_RATE_LIMITED" | "KOMMO_BLOCKED" | "KOMMO_UNAVAILABLE" | "KOMMO_TIMEOUT" | "KOMMO_BAD_RESPONSE" | "KOMMO_NO_PHONE_FIELD" | "KOMMO_UNKNOWN_USER" | "KOMMO_UNKNOWN_TASK_TYPE" | "RECORDING_LINK_INVALID" | "RECORDING_LINK_EXPIRED" | "RECORDING_NOT_FOUND" | "RECORDING_BAD_RANGE" | "RECORDING_CONVERSION_FAILED" | "CLICK_TO_CALL_DISABLED" | "CLICK_TO_CALL_UNAUTHORIZED" | "CLICK_TO_CALL_TOO_MANY_ATTEMPTS" | "CLICK_TO_CALL_BAD_REQUEST" | "CLICK_TO_CALL_BAD_PARAMS" | "CLICK_TO_CALL_UNKNOWN_USER" | "CLICK_TO_CALL_AMI_UNAVAILABLE" | "CLICK_TO_CALL_REFUSED" | "AUTODISTRIBUTION_FORBIDDEN" | "AMI_CONNECT_FAILED" | "AMI_LOGIN_FAILED" | "AMI_LOGIN_TIMEOUT" | "AMI_CONNECTION_LOST" | "AMI_PING_TIMEOUT" | "AMI_NOT_CONNECTED" | "AMI_DISCONNECTED" | "AMI_CLOSED" | "AMI_TIMEOUT" | "AMI_BAD_ACTION" | "AMI_ACTION_ERROR" | "AMI_LISTENER_THREW" | "AMI_INVALID_UTF8" | "AMI_LINE_TOO_LONG" | "AMI_BLOCK_TOO_LARGE" | "AMI_LINE_WITHOUT_COLON" | "AMI_BAD_HEADER_NAME" | "AMI_BARE_LF" | "AMI_NO_EVENT_OR_RESPONSE" | "AMI_TRUNCATED" | "TRACKER_UNKNOWN_CALL" | "TRACKER_LATE_EVENT" | "TRACKER_RESYNC_CLOSED" | "TRACKER_TRUNK_GUESSED" | "TRACKER_HANDLER_FAILED" | "CONFIG_UNREADABLE" | "CONFIG_INVALID" | "UNAUTHORIZED" | "BAD_LOGIN" | "TOO_MANY_ATTEMPTS" | "BAD_REQUEST" | "JSON_REQUIRED" | "HOST_NOT_ALLOWED" | "FOREIGN_ORIGIN" | "UNKNOWN_HOOK" | "NOT_FOUND" | "URL_TOO_LONG" | "PAGE_BUILD_FAILED" | "INTERNAL" | "NETWORK" | "METRICS_UNAUTHORIZED" | "METRICS_LOOPBACK_ONLY" | "NOT_STARTED" | "DEMO_CAPTURES_UNREADABLE" | "DEMO_PBX_LISTEN" | "PHONE_INDEX_CORRUPT" | "CAPABILITY_NOT_GRANTED" | "FETCH_REFUSED" | "FETCH_TOO_LARGE" | "FETCH_TIMEOUT" | "FETCH_FAILED" | "CAPABILITY_LIMIT" | "NOT_IN_CAPTURE" | "KOMMO_REQUEST_FAILED" | "STORE_LIMIT" | "CAPABILITY_BAD_ARGUMENT" | "STORY_NOT_FOUND" | "STORY_NO_EVENTS" | "STORY_BAD_QUERY" | "STORIES_OFF" | "DRY_RUN_UNRECORDED_READ" | "DRY_RUN_FAILED" | "CEL_UNREACHABLE" | "CEL_NO_TABLE" | "CEL_BAD_COLUMN" | "CEL_BAD_ROW" | "CEL_BAD_PERIOD" | "CEL_NOT_CONFIGURED" | "CEL_REPROCESS_BUSY";

/** console inside a script: captured (bounded) and shown with the result, never printed by the engine. */
declare const console: {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};

/** Why a capability call was refused or failed (docs/errors.md). */
interface CapabilityError extends Error {
  code: 'CAPABILITY_NOT_GRANTED' | 'FETCH_REFUSED' | 'FETCH_TOO_LARGE' | 'FETCH_TIMEOUT' | 'FETCH_FAILED' | 'CAPABILITY_LIMIT' | 'NOT_IN_CAPTURE' | 'KOMMO_REQUEST_FAILED' | 'STORE_LIMIT' | 'CAPABILITY_BAD_ARGUMENT';
}
/** A fetch's answer: plain data, the body already read (as text; json() parses it). */
interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  /** The final URL, after redirects (followed only within the grant). */
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: { get(name: string): string | null; has(name: string): boolean; entries(): [string, string][] };
  /** True in a replay for a write the capture has no answer for: it was not sent (status 202). */
  readonly dryRun: boolean;
  text(): Promise<string>;
  json(): Promise<any>;
}
interface FetchInit {
  /** GET (default), HEAD, POST, PUT, PATCH, DELETE, OPTIONS. */
  method?: string;
  headers?: Record<string, string>;
  /** A string: JSON.stringify(data) with a content-type header for JSON. */
  body?: string;
}
/**
 * An HTTP request carried out by hookline, to the URLs hooks.<hook>.fetch.allow grants (https unless a pattern says
 * http); loopback, private and metadata addresses only when a pattern names the address. Within the hook's own
 * timeout; each request is logged (query values left out). In a replay, reads are served from the capture and
 * writes are listed as "would send", never sent.
 */
declare function fetch(url: string, init?: FetchInit): Promise<FetchResponse>;
/** Kommo API v4 through hookline's own client (its token, rate limit and retries); the token is never visible. */
declare const kommo: {
  /**
   * GETs are granted by default; writes only for the routes hooks.<hook>.kommo.write names ("METHOD /api/v4/path",
   * a star for one path segment: docs/hooks.md). `path` starts with /api/v4/ and may carry a query.
   */
  request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }>;
};
/** A small key-value store of this hook, kept in the data folder (granted by hooks.<hook>.store). */
declare const store: {
  /** The value, or null when absent or expired. */
  get<T = unknown>(key: string): Promise<T | null>;
  /** Plain JSON values within maxValueBytes; null deletes the key. */
  set(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>;
};

interface HookInputs {
  /** Decide whether this stage of the call is registered at all (black/white lists by number, trunk, anything). */
  need_registration: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    call_stage: CallStage;
  };
  /** Change the client's phone number before any CRM look-up (format, prefixes). */
  process_client_phone: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    call_stage: CallStage;
    /** the client's number, after the built-in automatic replacement rules */
    phone: string;
  };
  /** Change the contact hookline creates for a new client (name, responsible, tags, any contact field). */
  process_contact_creation_params: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    /** the PHONE field with the client's number (enum WORK) */
    custom_fields_values: {
      /** id of the contacts field with code PHONE (read from the account) */
      field_id: number;
      values: {
        /** hookline writes "WORK" */
        enum_code: string;
        /** the client's phone number */
        value: string;
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      /** other fields can also be set: they go to Kommo as they are */
      [key: string]: unknown;
    }[];
    /** default "Contact <phone>" */
    name: string;
    /** Kommo user responsible for the contact */
    responsible_user_id: number;
    /** default ["hookline"] */
    tags: string[];
  };
  /** Change the lead hookline creates for a call (title, pipeline, status, responsible, tags, any lead field). */
  process_lead_creation_params: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    _embedded: {
      /** the contact the lead is linked to (absent when the client is a company) */
      contacts?: {
        id: number;
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      /** the company the lead is linked to, when no contact has the number and a company does (then `contacts` is absent) */
      companies?: {
        id: number;
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      tags: {
        name: string;
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      /** other fields can also be set: they go to Kommo as they are */
      [key: string]: unknown;
    };
    /** default "<phone> - [missed] incoming/outgoing" */
    name: string;
    pipeline_id: number;
    /** Kommo user responsible for the lead */
    responsible_user_id: number;
    status_id: number;
  };
  /** Change the AMI Originate of a click-to-call from Kommo (trunk, context, number format). */
  process_originate_params: {
    /** CallerID shown on the extension that rings first, e.g. "Kommo <+79161234567>" */
    caller_id: string;
    /** the channel that rings first: the user's extension, e.g. "PJSIP/101" */
    channel: string;
    /** dialplan context the call continues in once the extension answers */
    context: string;
    /** the number dialled in that context: the client's number */
    extension: string;
    /** dialplan priority, usually 1 */
    priority: number;
    /** the click-to-call request as received (number, user_id, …) */
    request_data: Record<string, unknown>;
  };
  /** Choose (or convert) the recording file linked from the call log in Kommo. */
  process_record_file_path: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    /** the recording of the conversation, as Asterisk wrote it */
    path: string;
  };
  /** Change the task created on a missed inbound or unanswered outbound call. */
  process_task_creation_params: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    /** deadline (Unix time, seconds) */
    complete_till: number;
    /** the user creating the task (0: robot) */
    created_by: number;
    /** the contact, company or lead the task is attached to */
    entity_id: number;
    /** the call's lead when there is one; else the client: a contact, or a company when no contact has the number */
    entity_type: "contacts" | "companies" | "leads";
    /** always false when created */
    is_completed: boolean;
    /** who must call back */
    responsible_user_id: number;
    /** Kommo task type id: 1 follow-up, 2 meeting (predefined), or one of the account's own (GET /api/v4/account?with=task_types) */
    task_type: number;
    /** default "Call back <entity name> on a missed call from <phone>" */
    text: string;
  };
  /** Choose whom an incoming call is routed to (the client's responsible manager by default). */
  customize_autodistribution: {
    /** the extension to route the call to; "" for the normal route */
    number: string;
    /** CallerID name shown on the phone: at most 20 characters, no commas */
    name: string;
    /** read-only: the calling number (present when not empty) */
    from?: string;
    /** read-only: the trunk number (present when not empty) */
    trunk?: string;
    /** read-only: the request as Asterisk sent it */
    request_data: Record<string, unknown>;
    /** The Kommo contact (or company) found or created for the client. */
    entity?: Entity;
    /** read-only: why no responsible user was found (present when not empty) */
    error?: string;
  };
  /** Act after the call is logged (logging, checks); only `state` counts. */
  post_registration: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
  };
  /** Change the update of an existing contact (responsible user, any contact field). */
  process_contact_update_params: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    /** Contact id */
    id: number;
    /** the new responsible user */
    responsible_user_id: number;
  };
  /** Change the update of an existing lead (responsible user, any lead field). */
  process_lead_update_params: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    /** Lead id */
    id: number;
    /** the new responsible user */
    responsible_user_id: number;
  };
  /** Change the unsorted (incoming) lead created for a new client: its contact and lead fields. */
  process_unsorted_creation_params: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    _embedded: {
      contacts: {
        custom_fields_values: {
          /** id of the contacts field with code PHONE (read from the account) */
          field_id: number;
          values: {
            /** hookline writes "WORK" */
            enum_code: string;
            /** the client's phone number */
            value: string;
            /** other fields can also be set: they go to Kommo as they are */
            [key: string]: unknown;
          }[];
          /** other fields can also be set: they go to Kommo as they are */
          [key: string]: unknown;
        }[];
        /** default "Contact <phone>" */
        name: string;
        tags: string[];
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      leads: {
        /** default "<phone> - [missed] incoming/outgoing" */
        name: string;
        pipeline_id: number;
        tags: {
          name: string;
          /** other fields can also be set: they go to Kommo as they are */
          [key: string]: unknown;
        }[];
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      /** other fields can also be set: they go to Kommo as they are */
      [key: string]: unknown;
    };
    /** when the unsorted lead is created (Unix time, seconds) */
    created_at: number;
    metadata: {
      /** when the call was made (Unix time, seconds) */
      called_at: number;
      /** seconds */
      duration: number;
      /** the calling number */
      from: string;
      is_call_event_needed: boolean;
      /** the recording link; absent when there is none */
      link?: string;
      /** the client's number */
      phone: string;
      service_code: string;
      /** the call's linkedid */
      uniq: string;
      /** other fields can also be set: they go to Kommo as they are */
      [key: string]: unknown;
    };
    pipeline_id: number;
    source_name: string;
    /** the call's linkedid: Kommo refuses a second unsorted lead with the same one */
    source_uid: string;
  };
  /** Change the call log written to Kommo (status, result text, direction, duration, link, responsible). */
  process_call_params: {
    /** The whole call, read-only. Keys are emitted in alphabetical order. */
    call_full: CallFull;
    /** Kommo's free text: the reason in words ("Busy", "No answer", …) */
    call_result: string;
    /** 4 talked, 5 wrong number, 6 not reached, 7 busy, 8 undefined (from call_full.result) */
    call_status: number;
    /** when the call started (Unix time, seconds) */
    created_at: number;
    /** the user who made or took the call (0: robot) */
    created_by: number;
    direction: "inbound" | "outbound";
    /** seconds of the last conversation */
    duration: number;
    /** the recording link of the last conversation; absent when there is none */
    link?: string;
    /** the client's number, as process_client_phone left it */
    phone: string;
    /** responsible user */
    responsible_user_id: number;
    source: string;
  };
}

interface HookDatas {
  /** Decide whether this stage of the call is registered at all (black/white lists by number, trunk, anything). */
  need_registration: {
    /** true: register this stage of the call; false: ignore it */
    result: boolean;
  };
  /** Change the client's phone number before any CRM look-up (format, prefixes). */
  process_client_phone: {
    /** the number to look up and register in Kommo */
    phone: string;
  };
  /** Change the contact hookline creates for a new client (name, responsible, tags, any contact field). */
  process_contact_creation_params: {
    /** the PHONE field with the client's number (enum WORK) */
    custom_fields_values: {
      /** id of the contacts field with code PHONE (read from the account) */
      field_id: number;
      values: {
        /** hookline writes "WORK" */
        enum_code: string;
        /** the client's phone number */
        value: string;
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      /** other fields can also be set: they go to Kommo as they are */
      [key: string]: unknown;
    }[];
    /** default "Contact <phone>" */
    name: string;
    /** Kommo user responsible for the contact */
    responsible_user_id: number;
    /** default ["hookline"] */
    tags: string[];
    /** other fields can also be set: they go to Kommo as they are */
    [key: string]: unknown;
  };
  /** Change the lead hookline creates for a call (title, pipeline, status, responsible, tags, any lead field). */
  process_lead_creation_params: {
    _embedded: {
      /** the contact the lead is linked to (absent when the client is a company) */
      contacts?: {
        id: number;
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      /** the company the lead is linked to, when no contact has the number and a company does (then `contacts` is absent) */
      companies?: {
        id: number;
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      tags: {
        name: string;
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      /** other fields can also be set: they go to Kommo as they are */
      [key: string]: unknown;
    };
    /** default "<phone> - [missed] incoming/outgoing" */
    name: string;
    pipeline_id: number;
    /** Kommo user responsible for the lead */
    responsible_user_id: number;
    status_id: number;
    /** other fields can also be set: they go to Kommo as they are */
    [key: string]: unknown;
  };
  /** Change the AMI Originate of a click-to-call from Kommo (trunk, context, number format). */
  process_originate_params: {
    /** CallerID shown on the extension that rings first, e.g. "Kommo <+79161234567>" */
    caller_id: string;
    /** the channel that rings first: the user's extension, e.g. "PJSIP/101" */
    channel: string;
    /** dialplan context the call continues in once the extension answers */
    context: string;
    /** the number dialled in that context: the client's number */
    extension: string;
    /** dialplan priority, usually 1 */
    priority: number;
  };
  /** Choose (or convert) the recording file linked from the call log in Kommo. */
  process_record_file_path: {
    /** the file to link from Kommo (inside the recordings folder) */
    path: string;
  };
  /** Change the task created on a missed inbound or unanswered outbound call. */
  process_task_creation_params: {
    /** deadline (Unix time, seconds) */
    complete_till: number;
    /** the user creating the task (0: robot) */
    created_by: number;
    /** the contact, company or lead the task is attached to */
    entity_id: number;
    /** the call's lead when there is one; else the client: a contact, or a company when no contact has the number */
    entity_type: "contacts" | "companies" | "leads";
    /** always false when created */
    is_completed: boolean;
    /** who must call back */
    responsible_user_id: number;
    /** Kommo task type id: 1 follow-up, 2 meeting (predefined), or one of the account's own (GET /api/v4/account?with=task_types) */
    task_type: number;
    /** default "Call back <entity name> on a missed call from <phone>" */
    text: string;
    /** other fields can also be set: they go to Kommo as they are */
    [key: string]: unknown;
  };
  /** Choose whom an incoming call is routed to (the client's responsible manager by default). */
  customize_autodistribution: {
    /** the extension to route the call to; "" for the normal route */
    number: string;
    /** CallerID name shown on the phone: at most 20 characters, no commas */
    name: string;
  };
  /** Act after the call is logged (logging, checks); only `state` counts. */
  post_registration: null;
  /** Change the update of an existing contact (responsible user, any contact field). */
  process_contact_update_params: {
    /** Contact id */
    id: number;
    /** the new responsible user */
    responsible_user_id: number;
    /** other fields can also be set: they go to Kommo as they are */
    [key: string]: unknown;
  };
  /** Change the update of an existing lead (responsible user, any lead field). */
  process_lead_update_params: {
    /** Lead id */
    id: number;
    /** the new responsible user */
    responsible_user_id: number;
    /** other fields can also be set: they go to Kommo as they are */
    [key: string]: unknown;
  };
  /** Change the unsorted (incoming) lead created for a new client: its contact and lead fields. */
  process_unsorted_creation_params: {
    _embedded: {
      contacts: {
        custom_fields_values: {
          /** id of the contacts field with code PHONE (read from the account) */
          field_id: number;
          values: {
            /** hookline writes "WORK" */
            enum_code: string;
            /** the client's phone number */
            value: string;
            /** other fields can also be set: they go to Kommo as they are */
            [key: string]: unknown;
          }[];
          /** other fields can also be set: they go to Kommo as they are */
          [key: string]: unknown;
        }[];
        /** default "Contact <phone>" */
        name: string;
        tags: string[];
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      leads: {
        /** default "<phone> - [missed] incoming/outgoing" */
        name: string;
        pipeline_id: number;
        tags: {
          name: string;
          /** other fields can also be set: they go to Kommo as they are */
          [key: string]: unknown;
        }[];
        /** other fields can also be set: they go to Kommo as they are */
        [key: string]: unknown;
      }[];
      /** other fields can also be set: they go to Kommo as they are */
      [key: string]: unknown;
    };
    /** when the unsorted lead is created (Unix time, seconds) */
    created_at: number;
    metadata: {
      /** when the call was made (Unix time, seconds) */
      called_at: number;
      /** seconds */
      duration: number;
      /** the calling number */
      from: string;
      is_call_event_needed: boolean;
      /** the recording link; absent when there is none */
      link?: string;
      /** the client's number */
      phone: string;
      service_code: string;
      /** the call's linkedid */
      uniq: string;
      /** other fields can also be set: they go to Kommo as they are */
      [key: string]: unknown;
    };
    pipeline_id: number;
    source_name: string;
    /** the call's linkedid: Kommo refuses a second unsorted lead with the same one */
    source_uid: string;
    /** other fields can also be set: they go to Kommo as they are */
    [key: string]: unknown;
  };
  /** Change the call log written to Kommo (status, result text, direction, duration, link, responsible). */
  process_call_params: {
    /** Kommo's free text: the reason in words ("Busy", "No answer", …) */
    call_result: string;
    /** 4 talked, 5 wrong number, 6 not reached, 7 busy, 8 undefined (from call_full.result) */
    call_status: number;
    /** when the call started (Unix time, seconds) */
    created_at: number;
    /** the user who made or took the call (0: robot) */
    created_by: number;
    direction: "inbound" | "outbound";
    /** seconds of the last conversation */
    duration: number;
    /** the recording link of the last conversation; absent when there is none */
    link?: string;
    /** the client's number, as process_client_phone left it */
    phone: string;
    /** responsible user */
    responsible_user_id: number;
    source: string;
    /** other fields can also be set: they go to Kommo as they are */
    [key: string]: unknown;
  };
}

/** What a script returns: its data, and state "success" (any other state is a failure: the default is used). */
type HookResultOf<H extends keyof HookInputs> = H extends 'post_registration' ? { state: 'success'; data?: unknown } : { data: HookDatas[H]; state: 'success' };
