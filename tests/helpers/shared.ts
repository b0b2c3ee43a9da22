/**
 * The shared fixtures that are not shipped in the repository (captures with no licence or a GPL one, notes):
 * `../shared` beside the project folder, wherever the clone is. A test that needs them is skipped, saying so,
 * when the folder is not there.
 */
import { resolve } from 'node:path';

/** `../shared/<parts>`, from the project root. */
export const sharedPath = (...parts: string[]) => resolve(import.meta.dirname, '../../../shared', ...parts);

/** ../shared/fixtures/ami: the AMI captures that stay out of tests/fixtures/ami (see its README). */
export const SHARED_AMI = sharedPath('fixtures', 'ami');
