import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm start`: runs the api, the worker and the SMTP gateway as three processes, as a small
 * site would. Signals are passed on; if one process stops, the others are stopped too and its
 * exit code kept.
 */
const apps = ['api', 'worker', 'smtp-gateway'];
const distRoot = join(__dirname, '..', '..', '..');
const children: ChildProcess[] = [];
let stopping = false;

function stopAll(signal: NodeJS.Signals): void {
  stopping = true;
  for (const child of children) {
    if (child.exitCode === null) {
      child.kill(signal);
    }
  }
}

for (const app of apps) {
  const child = spawn(process.execPath, [join(distRoot, 'apps', app, 'src', 'main.js')], {
    stdio: 'inherit',
    env: process.env,
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.exitCode = code ?? (signal ? 1 : 0);
      stopAll('SIGTERM');
    }
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) {
      process.exit(process.exitCode ?? 0);
    }
  });
  children.push(child);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => stopAll(signal));
}
