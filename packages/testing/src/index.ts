// `tenantry/testing`: an in-memory MongoDB backend so applications (and Tenantry's own tests) run the real resolver offline.
export { memoryConnector } from "./memory-backend";
export type { MemoryClientInfo, MemoryConnector, OperationEvent, WriteEvent, WriteMatcher } from "./memory-backend";
export { InjectedFaultError, MemoryBackendUnsupportedError, MemoryClientClosedError } from "./errors";
