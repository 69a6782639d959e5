/** The `sparse24` command. Returns the process exit code (0 ok, 1 check failed, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  void argv;
  process.stdout.write('sparse24\n');
  return 0;
}
