import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalPath, RunJournal } from './run-journal';

describe('RunJournal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));

  it('keeps what a run recorded for the next run, and skips a line cut short by a crash', () => {
    const path = join(dir, 'a.journal.jsonl');
    const first = RunJournal.open(path);
    first.record({ line: 2, key: 'k2', state: 'pending' });
    first.record({ line: 2, key: 'k2', state: 'created', via: 'action', userId: 'auth0|1' });
    first.record({ line: 3, key: 'k3', state: 'pending' });
    first.close();
    appendFileSync(path, '{"line":4,"key":"k4","sta');

    const second = RunJournal.open(path);
    expect(second.get(2)).toEqual({ state: 'created', key: 'k2', via: 'action', userId: 'auth0|1' });
    expect(second.get(3)).toEqual({ state: 'pending', key: 'k3' });
    expect(second.get(4)).toBeUndefined();
    expect(second.size).toBe(2);
    second.record({ line: 3, key: 'k3', state: 'exists' });
    second.close();
    expect(readFileSync(path, 'utf8').trim().split('\n').at(-1)).toBe('{"line":3,"key":"k3","state":"exists"}');
  });

  it('names a journal after the CSV path and content: another content or another path, another journal', () => {
    const a = journalPath('.admin-runs', 'users.csv', 'aaa');
    expect(a).toMatch(/^\.admin-runs\/invite-users\.csv-[0-9a-f]{16}\.journal\.jsonl$/);
    expect(journalPath('.admin-runs', 'users.csv', 'aaa')).toBe(a);
    expect(journalPath('.admin-runs', 'users.csv', 'bbb')).not.toBe(a);
    expect(journalPath('.admin-runs', 'other/users.csv', 'aaa')).not.toBe(a);
  });
});
