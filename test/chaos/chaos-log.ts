// What the clients saw: one record per Idempotency-Key (its body, attempts, final answer and
// every order id an answer named), answers counted by status, and answer-time violations.
import type { CallOutcome } from "./http-call";
import type { OrderBody } from "./answer-rules";
import { ViolationList } from "./violations";

export interface FinalAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface AttemptRecord {
  /** Date.now() when the request was sent and when its answer (or failure) came. */
  readonly sentAtMs: number;
  readonly endedAtMs: number;
  /** The status, or the failure code (ECONNREFUSED, timeout, ...). */
  readonly outcome: string;
}

export interface KeyRecord {
  readonly key: string;
  readonly client: number;
  readonly body: OrderBody;
  attempts: number;
  readonly history: AttemptRecord[];
  final?: FinalAnswer;
  /** Order ids named by the answers to this key (201/202/402, and any 5xx that named one). */
  readonly orderIds: Set<string>;
}

export type Tally = Record<string, number>;

export function outcomeLabel(outcome: CallOutcome): string {
  return outcome.kind === "answer" ? String(outcome.status) : outcome.code;
}

function bump(tally: Tally, label: string): void {
  tally[label] = (tally[label] ?? 0) + 1;
}

export class ChaosLog {
  readonly keys: KeyRecord[] = [];
  /** Keys that had no final answer when the settle phase ended. */
  readonly gaveUp: KeyRecord[] = [];
  /** Replays of an answer the service could not record (the database failed after the insert). */
  unrecordedAnswersResumed = 0;
  /** Answers (or failure codes) to order attempts, under load and while settling. */
  readonly answers: Tally = {};
  readonly settleAnswers: Tally = {};
  readonly replayAnswers: Tally = {};
  readonly violations = new ViolationList();
  requests = 0;

  newKey(client: number, key: string, body: OrderBody): KeyRecord {
    const record: KeyRecord = { key, client, body, attempts: 0, history: [], orderIds: new Set() };
    this.keys.push(record);
    return record;
  }

  countAttempt(outcome: CallOutcome, phase: "load" | "settle"): void {
    this.requests += 1;
    bump(this.answers, outcomeLabel(outcome));
    if (phase === "settle") bump(this.settleAnswers, outcomeLabel(outcome));
  }

  countReplay(outcome: CallOutcome): void {
    bump(this.replayAnswers, outcomeLabel(outcome));
  }

  violation(rule: string, detail: string): void {
    this.violations.add(rule, detail);
  }
}
