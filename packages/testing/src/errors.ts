// Errors of the memory backend: driver-shaped where the driver has one (duplicate key), typed where the backend refuses.
import { MongoServerError } from "mongodb";
import type { Document } from "mongodb";

/** A duplicate key error shaped like the server's (`MongoServerError`, code 11000, `keyPattern`, `keyValue`). */
export function duplicateKeyError(ns: string, indexName: string, keyPattern: Document, keyValue: Document): MongoServerError {
  const errmsg = `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: ${JSON.stringify(keyValue)}`;
  return new MongoServerError({ message: errmsg, errmsg, code: 11000, codeName: "DuplicateKey", keyPattern, keyValue });
}

/** A server error with a code, e.g. 66 ImmutableField or 86 IndexKeySpecsConflict. */
export function serverError(code: number, codeName: string, message: string): MongoServerError {
  return new MongoServerError({ message, errmsg: message, code, codeName });
}

/** The memory backend does not implement this (change streams, `$out`, `$merge`...): it says so instead of pretending. */
export class MemoryBackendUnsupportedError extends Error {
  override readonly name = "MemoryBackendUnsupportedError";
  constructor(
    /** What was asked for, e.g. `watch` or `$out`. */
    readonly feature: string,
    message: string,
  ) {
    super(message);
  }
}

/** An operation on a client after its `close()`; the resolver must never do this (tests rely on it). */
export class MemoryClientClosedError extends Error {
  override readonly name = "MemoryClientClosedError";
  constructor(
    /** Cluster key of the closed client. */
    readonly clusterKey: string,
  ) {
    super(`memory client for ${clusterKey} is closed`);
  }
}

/** Thrown by `failWrite` fault injection unless the test supplies its own error. */
export class InjectedFaultError extends Error {
  override readonly name = "InjectedFaultError";
  constructor(
    /** 1-based sequence number of the failed write among the writes the fault counted. */
    readonly nth: number,
  ) {
    super(`injected fault: write #${nth} failed`);
  }
}
