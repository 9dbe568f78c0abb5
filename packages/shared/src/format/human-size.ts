const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's `%.4g`: four significant digits, trailing zeros dropped. */
const fourSignificant = (value: number) => String(Number(value.toPrecision(4)));

function customSize(bytes: number, base: number, units: string[]): string {
  let size = bytes;
  let unit = 0;
  while (size >= base && unit < units.length - 1) {
    size /= base;
    unit++;
  }
  return `${fourSignificant(size)}${units[unit]}`;
}

/** Docker's units.BytesSize: binary units, e.g. 25276502016 → "23.54GiB" (Total Memory). */
export const bytesSize = (bytes: number): string => customSize(bytes, 1024, BINARY_UNITS);

/** Docker's units.HumanSize: decimal units, e.g. 1000000 → "1MB" (image sizes). */
export const humanSize = (bytes: number): string => customSize(bytes, 1000, DECIMAL_UNITS);
