/**
 * @module sim/cel — a PBX's CEL for tests and the bench: real database servers on temp folders and loopback
 * ports (PostgreSQL from npm, MariaDB from the machine), Asterisk's cel table, and calls made up as the CEL rows
 * Asterisk writes (and the same rows as AMI `Event: CEL` blocks for sim/pbx). Not used by the service.
 */
export { startPostgres, startMariadb, createCelTable, eventsToRows, insertRows, freePort, type TestDb } from './db.ts';
export { inboundCall, linkedidOf, asAmi, type Row } from './calls.ts';
