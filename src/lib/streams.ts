import { payloadTooLarge } from './errors.js';

function concat(chunks: Uint8Array[], total: number) {
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

/**
 * Reads the first `count` bytes of a stream (fewer if it ends sooner) and returns them with a stream
 * that replays them followed by the rest. Only `count` bytes are ever held, so sniffing stays bounded.
 */
export async function peekStream(stream: ReadableStream<Uint8Array>, count: number) {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  while (total < count) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    chunks.push(value);
    total += value.length;
  }
  const head = concat(chunks, total);

  const replay = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (head.length > 0) controller.enqueue(head);
        if (ended) controller.close();
      },
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { head: head.subarray(0, Math.min(count, head.length)), stream: replay };
}

/**
 * Passes bytes through while counting them, and errors the stream with a 413 AppError as soon as
 * more than `limit` bytes have gone by. `counted()` gives the bytes seen so far.
 */
export function limitStream(stream: ReadableStream<Uint8Array>, limit: number) {
  let seen = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.length;
      if (seen > limit) controller.error(payloadTooLarge(limit));
      else controller.enqueue(chunk);
    },
  });
  return { stream: stream.pipeThrough(counter), counted: () => seen };
}
