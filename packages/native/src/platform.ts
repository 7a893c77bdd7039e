/** The per-platform package that carries the addon for this machine, e.g. "@onebit/native-linux-x64-gnu". */
export function platformPackage(): string {
  let suffix = "";
  if (process.platform === "linux") {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    suffix = report?.header?.glibcVersionRuntime ? "-gnu" : "-musl";
  }
  return `@onebit/native-${process.platform}-${process.arch}${suffix}`;
}
