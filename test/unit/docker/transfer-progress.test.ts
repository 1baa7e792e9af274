import { describe, expect, it } from 'vitest';
import type { JsonMessage } from '../../../src/main/docker/json-messages';
import { TransferTracker } from '../../../src/main/docker/transfer-progress';
import { BerthError } from '../../../src/shared/errors';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** A pull as dockerd 20.10 streams it: one layer present, two downloaded then extracted. */
const PULL: JsonMessage[] = [
  { status: 'Pulling from team/app', id: '1.0' },
  { status: 'Already exists', progressDetail: {}, id: 'aaaaaaaaaaaa' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'bbbbbbbbbbbb' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'cccccccccccc' },
  { status: 'Waiting', progressDetail: {}, id: 'cccccccccccc' },
  { status: 'Downloading', progressDetail: { current: 400, total: 1000 }, id: 'bbbbbbbbbbbb' },
  { status: 'Downloading', progressDetail: { current: 1000, total: 1000 }, id: 'bbbbbbbbbbbb' },
  { status: 'Verifying Checksum', progressDetail: {}, id: 'bbbbbbbbbbbb' },
  { status: 'Download complete', progressDetail: {}, id: 'bbbbbbbbbbbb' },
  { status: 'Downloading', progressDetail: { current: 1500, total: 3000 }, id: 'cccccccccccc' },
  { status: 'Extracting', progressDetail: { current: 200, total: 1000 }, id: 'bbbbbbbbbbbb' },
  { status: 'Downloading', progressDetail: { current: 3000, total: 3000 }, id: 'cccccccccccc' },
  { status: 'Download complete', progressDetail: {}, id: 'cccccccccccc' },
  { status: 'Pull complete', progressDetail: {}, id: 'bbbbbbbbbbbb' },
  { status: 'Extracting', progressDetail: { current: 3000, total: 3000 }, id: 'cccccccccccc' },
  { status: 'Pull complete', progressDetail: {}, id: 'cccccccccccc' },
  { status: `Digest: ${DIGEST}` },
  { status: 'Status: Downloaded newer image for 127.0.0.1:5000/team/app:1.0' },
];

describe('TransferTracker', () => {
  it('follows every layer of a pull and sums the bytes', () => {
    const tracker = new TransferTracker('pull');
    const seen = PULL.slice(0, 10).map((message) => tracker.apply(message));
    expect(seen).toEqual(['none', 'phase', 'phase', 'phase', 'phase', 'phase', 'bytes', 'phase', 'phase', 'phase']);
    expect(tracker.snapshot()).toEqual({
      status: 'Pulling: 1 of 3 layers done',
      current: 2500,
      total: 4000,
      done: false,
      items: [
        { id: 'aaaaaaaaaaaa', status: 'Already exists', current: 0, total: 0 },
        { id: 'bbbbbbbbbbbb', status: 'Download complete', current: 1000, total: 1000 },
        { id: 'cccccccccccc', status: 'Downloading', current: 1500, total: 3000 },
      ],
    });
    // Extraction shows its own progress per layer; the overall byte count never goes back.
    tracker.apply(PULL[10]!);
    expect(tracker.snapshot().items[1]).toEqual({
      id: 'bbbbbbbbbbbb',
      status: 'Extracting',
      current: 200,
      total: 1000,
    });
    expect(tracker.snapshot().current).toBe(2500);
  });

  it('ends a pull at 100% with the digest the engine reported', () => {
    const tracker = new TransferTracker('pull');
    for (const message of PULL) tracker.apply(message);
    expect(tracker.finished).toBe(true);
    expect(tracker.digest).toBe(DIGEST);
    tracker.complete();
    const end = tracker.snapshot();
    expect(end).toMatchObject({ status: 'Pulled', current: 4000, total: 4000, done: true });
    for (const item of end.items) expect(item.current).toBe(item.total);
  });

  it('says "up to date" when nothing was pulled', () => {
    const tracker = new TransferTracker('pull');
    tracker.apply({ status: 'Pulling from library/alpine', id: 'latest' });
    tracker.apply({ status: `Digest: ${DIGEST}` });
    tracker.apply({ status: 'Status: Image is up to date for alpine:latest' });
    tracker.complete();
    expect(tracker.snapshot()).toMatchObject({ status: 'Image is up to date', done: true, items: [] });
  });

  it('follows a push and takes the digest from aux', () => {
    const tracker = new TransferTracker('push');
    const stream: JsonMessage[] = [
      { status: 'The push refers to repository [127.0.0.1:5000/team/app]' },
      { status: 'Preparing', progressDetail: {}, id: 'dddddddddddd' },
      { status: 'Preparing', progressDetail: {}, id: 'eeeeeeeeeeee' },
      { status: 'Layer already exists', progressDetail: {}, id: 'eeeeeeeeeeee' },
      { status: 'Pushing', progressDetail: { current: 512, total: 2048 }, id: 'dddddddddddd' },
      { status: 'Pushing', progressDetail: { current: 2048, total: 2048 }, id: 'dddddddddddd' },
      { status: 'Pushed', progressDetail: {}, id: 'dddddddddddd' },
      { status: `1.0: digest: ${DIGEST} size: 739` },
      { progressDetail: {}, aux: { Tag: '1.0', Digest: DIGEST, Size: 739 } },
    ];
    for (const message of stream.slice(0, 5)) tracker.apply(message);
    expect(tracker.snapshot()).toMatchObject({ status: 'Pushing: 1 of 2 layers done', current: 512, total: 2048 });
    for (const message of stream.slice(5)) tracker.apply(message);
    expect(tracker.finished).toBe(true);
    expect(tracker.digest).toBe(DIGEST);
    tracker.complete();
    expect(tracker.snapshot()).toMatchObject({ status: 'Pushed', current: 2048, total: 2048, done: true });
  });

  it('counts a mounted layer as done', () => {
    const tracker = new TransferTracker('push');
    tracker.apply({ status: 'Mounted from team/base', progressDetail: {}, id: 'ffffffffffff' });
    expect(tracker.snapshot().status).toBe('Pushing: 1 of 1 layers done');
  });

  it('ends the operation as a failure on the stream error field, with the engine words and a code', () => {
    const tracker = new TransferTracker('push');
    tracker.apply({ status: 'Preparing', progressDetail: {}, id: 'dddddddddddd' });
    let thrown: unknown;
    try {
      tracker.apply({
        errorDetail: { message: 'unauthorized: authentication required' },
        error: 'unauthorized: authentication required',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BerthError);
    expect((thrown as BerthError).code).toBe('unauthorized');
    expect((thrown as BerthError).message).toBe('Docker engine: unauthorized: authentication required');
    expect(tracker.finished).toBe(false);
  });

  it('is not finished by a stream that stops in the middle', () => {
    const tracker = new TransferTracker('push');
    tracker.apply({ status: 'Pushing', progressDetail: { current: 10, total: 100 }, id: 'dddddddddddd' });
    expect(tracker.finished).toBe(false);
  });

  it('ignores fields of the wrong type from a hostile engine', () => {
    const tracker = new TransferTracker('pull');
    tracker.apply({
      status: 'Downloading',
      id: 'x',
      progressDetail: { current: -5, total: Number.NaN },
    } as JsonMessage);
    tracker.apply({ status: 42, id: 'y' } as unknown as JsonMessage);
    expect(tracker.snapshot()).toMatchObject({ current: 0, total: 0 });
  });
});
