import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemorySource } from '../../src/pickle/source';

export const SAMPLES = path.join(__dirname, '..', '..', 'samples', 'containers');

export function sample(name: string): Buffer {
  return fs.readFileSync(path.join(SAMPLES, name));
}

export function sampleSource(name: string): MemorySource {
  return new MemorySource(sample(name));
}

export interface ManifestRow {
  file: string;
  verdict: 'safe' | 'suspicious' | 'dangerous';
  note: string;
  generator?: string;
}

export function manifest(): ManifestRow[] {
  return (JSON.parse(fs.readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as { samples: ManifestRow[] }).samples;
}
