// Run by tests/status/log.test.ts under a terminal and under a pipe: logs two lines and exits at once, so a
// line that was buffered rather than written would be lost.
import { createLogger } from '../../log/index.ts';

const log = createLogger({ level: 'info', destination: process.argv[2] === 'stderr' ? process.stderr : undefined });
log.child({ module: 'registrar' }).info({ linkedid: '1715000100.2' }, 'call registered');
log.warn({ linkedid: '1715000100.2', hook: 'process_client_phone', version: 7, code: 'TIMEOUT' }, 'process_client_phone (script v7) took longer than 500 ms');
process.exit(0);
