import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'agile',
  'amber',
  'bold',
  'brave',
  'bright',
  'calm',
  'clever',
  'cosmic',
  'crisp',
  'daring',
  'eager',
  'fancy',
  'gentle',
  'happy',
  'hardy',
  'jolly',
  'keen',
  'lively',
  'lucid',
  'mellow',
  'nimble',
  'noble',
  'patient',
  'quiet',
  'rapid',
  'serene',
  'steady',
  'sturdy',
  'swift',
  'tidy',
  'vivid',
  'witty',
];
const NAVIGATORS = [
  'albatross',
  'anchor',
  'barge',
  'beacon',
  'buoy',
  'capstan',
  'clipper',
  'compass',
  'corvette',
  'cutter',
  'dinghy',
  'ferry',
  'frigate',
  'galleon',
  'harbor',
  'hawser',
  'keel',
  'ketch',
  'lighthouse',
  'mariner',
  'pilot',
  'quay',
  'schooner',
  'sextant',
  'sloop',
  'tugboat',
  'wharf',
  'yawl',
];

/** A Docker-style `adjective_noun` name, not in use; digits are appended when every pair is. */
export function generateName(inUse: (name: string) => boolean): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NAVIGATORS[randomInt(NAVIGATORS.length)]}`;
    const candidate = attempt < 10 ? name : `${name}${randomInt(100)}`;
    if (!inUse(candidate)) return candidate;
  }
  return `container_${randomInt(1e9)}`;
}
