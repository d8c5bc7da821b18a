// The shape every benchmark reports: a named measurement with its unit.

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export interface BenchModule {
  run(): Promise<BenchResult[]>;
}
