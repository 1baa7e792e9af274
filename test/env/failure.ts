import { BerthError } from '../../src/shared/errors';

/** The BerthError a promise rejects with; anything else (a success, another error) fails the test. */
export async function failure(promise: Promise<unknown>): Promise<BerthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error('expected a BerthError, but the operation succeeded');
}
