import * as os from 'os';
import { capturedIo } from './cli-io';
import { COMMANDS, main } from '../../src/cli/main';
import { TrainyardValidationError } from '../../src/core/errors';

describe('trainyard entry point', () => {
  test('--help lists every registered command and exits 0', async () => {
    // GIVEN
    const io = capturedIo(os.tmpdir());
    // WHEN
    const code = await main(['--help'], io);
    // THEN
    expect(code).toBe(0);
    expect(io.stdout()).toMatch(/^Usage: trainyard <command> \[args\]/);
    for (const name of Object.keys(COMMANDS)) {
      expect(io.stdout()).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(Object.keys(COMMANDS)).toEqual(expect.arrayContaining(['check', 'quota']));
  });

  test('no command prints the usage on stderr and exits 2', async () => {
    const io = capturedIo(os.tmpdir());
    expect(await main([], io)).toBe(2);
    expect(io.stderr()).toMatch(/Usage: trainyard/);
    expect(io.stdout()).toBe('');
  });

  test('an unknown command is one line listing the commands, exit 2', async () => {
    const io = capturedIo(os.tmpdir());
    expect(await main(['deploy'], io)).toBe(2);
    expect(io.stderr()).toBe(`trainyard: unknown command 'deploy'. Commands: ${Object.keys(COMMANDS).join(', ')}. Run 'trainyard --help'.\n`);
    expect(io.stderr()).toMatch(/Commands: check, quota/);
  });

  test('a bad option value is one line naming the argument and the allowed values, exit 2', async () => {
    const io = capturedIo(os.tmpdir());
    expect(await main(['check', '--format', 'x'], io)).toBe(2);
    expect(io.stderr()).toBe("trainyard check: --format: must be one of table, markdown, sarif, got 'x'\n");
  });

  test('an unknown option is one line naming it, exit 2', async () => {
    const io = capturedIo(os.tmpdir());
    expect(await main(['check', '--colour'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^trainyard check: --colour: Unknown option '--colour'\. .*Run 'trainyard check --help'/);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
  });

  test('a command that throws anything prints one line without a stack trace', async () => {
    // GIVEN a command registered for this test that fails unexpectedly
    const registry = COMMANDS as Record<string, any>;
    registry.boom = { run: async () => { throw new TypeError('cannot read x of undefined'); }, summary: 'test only' };
    registry.invalid = { run: async () => { throw new TrainyardValidationError('--thing', 'is wrong'); }, summary: 'test only' };
    try {
      const io = capturedIo(os.tmpdir());
      // WHEN / THEN
      expect(await main(['boom'], io)).toBe(2);
      expect(io.stderr()).toBe('trainyard boom: TypeError: cannot read x of undefined\n');
      const io2 = capturedIo(os.tmpdir());
      expect(await main(['invalid'], io2)).toBe(2);
      expect(io2.stderr()).toBe('trainyard invalid: --thing: is wrong\n');
      // TRAINYARD_DEBUG=1 adds the stack for a maintainer
      const debug = capturedIo(os.tmpdir(), { TRAINYARD_DEBUG: '1' });
      await main(['boom'], debug);
      expect(debug.stderr()).toMatch(/TypeError: cannot read x of undefined\n\s+at /);
    } finally {
      delete registry.boom;
      delete registry.invalid;
    }
  });

  test('each command has its own --help', async () => {
    for (const name of ['check', 'quota']) {
      const io = capturedIo(os.tmpdir());
      expect(await main([name, '--help'], io)).toBe(0);
      expect(io.stdout()).toMatch(new RegExp(`^Usage: trainyard ${name} `));
    }
  });
});
