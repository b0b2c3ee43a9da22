/**
 * @module engine/recordings — recordings in Kommo's player: process_record_file_path (WAV → MP3 by default),
 * signed expiring links, GET /recordings/<token> with range requests, and pruning of the MP3 cache past the
 * link TTL. See docs/design/recordings.md.
 */
export {
  createRecordings, recordingsCapabilities, mp3CacheDir,
  type Recordings, type RecordingsOptions, type RecordingLink,
} from './recordings.ts';
export { signToken, checkToken, type LinkPayload, type LinkRoot, type TokenCheck } from './link-token.ts';
export { loadOrCreateKey, keyPath, KEY_FILE } from './link-key.ts';
export { pruneMp3Cache, DEFAULT_LINK_TTL_HOURS, PRUNE_EVERY_MS, type PruneOptions, type PruneResult } from './prune.ts';
export { byteRange, type RangeAnswer } from './byte-range.ts';
