// Worker threads do not inherit the tsx loader of the thread that starts them (Node 20), and
// a test runner's transform does not reach them either, so the worker registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
