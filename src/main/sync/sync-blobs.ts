/**
 * Each blob moves at most once per target registry in a sync run, whatever number of tags and repositories
 * need it: the first tag that needs it transfers it (promotion's blob transfer), a tag of the same
 * repository waits for that and finds it there, a tag of another repository mounts it from there
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository).
 */
import type { RepositoryName } from '../../shared/reference';
import { transferBlob, type BlobTransfer, type TransferOutcome } from '../promotion/blob-transfer';
import type { RegistryClient } from '../registry';

interface Landing {
  repository: RepositoryName;
  done: Promise<TransferOutcome>;
}

export class BlobLedger {
  private readonly landings = new Map<string, Landing>();

  constructor(private readonly client: RegistryClient) {}

  async transfer(transfer: BlobTransfer): Promise<TransferOutcome> {
    const key = `${transfer.target.registry}\n${transfer.digest}`;
    const landing = this.landings.get(key);
    if (landing) {
      const landed = await landing.done.then(
        () => true,
        () => false,
      );
      if (landed) {
        if (landing.repository.repository === transfer.target.repository) return 'exists';
        return transferBlob(this.client, { ...transfer, source: landing.repository, mount: true });
      }
    }
    // The first to need it (or the one after a failed first): the others wait for this one.
    const done = transferBlob(this.client, transfer);
    this.landings.set(key, { repository: transfer.target, done });
    done.catch(() => {
      if (this.landings.get(key)?.done === done) this.landings.delete(key);
    });
    return done;
  }
}
