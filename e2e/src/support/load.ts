import { type Stack } from './stack';

/**
 * Sends `count` one-recipient messages with `concurrency` requests in flight, spread over the
 * stack's api processes; returns the message ids in order.
 */
export async function sendMany(
  stack: Stack,
  token: string,
  count: number,
  recipient: (index: number) => string,
  concurrency = 16,
): Promise<string[]> {
  const ids: string[] = new Array<string>(count);
  let next = 0;
  const apiCount = stack.apiPorts.length;
  const lane = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      const reply = await stack.request('POST', '/v1/messages', {
        token,
        api: index % apiCount,
        body: {
          from: 'clinic@sender.test',
          to: [recipient(index)],
          subject: `Reminder ${index}`,
          text: `Your appointment reminder number ${index}.`,
        },
      });
      if (reply.status !== 202) {
        throw new Error(`message ${index} refused: ${reply.status} ${reply.text}`);
      }
      ids[index] = reply.body.id as string;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return ids;
}

/** Polls until `check` returns true or the time is up. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function report(line: string): void {
  process.stdout.write(`\n${line}\n`);
}
