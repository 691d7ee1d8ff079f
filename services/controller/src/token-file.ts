import { readFile } from 'node:fs/promises';
import { ControllerError } from './errors.js';

/** Reads a bearer token file on each use (so a rotated token applies at once). */
export async function readTokenFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ControllerError('token_missing', `cannot read token file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const token = text.trim();
  if (token === '') throw new ControllerError('token_missing', `token file ${path} is empty`);
  return token;
}
