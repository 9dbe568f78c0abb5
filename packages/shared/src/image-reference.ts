import { z } from 'zod';
import { StevedoreError } from './errors.js';

/** A fully qualified image reference, Docker's normalization applied (`busybox` → docker.io/library/busybox:latest). */
export interface ImageReference {
  /** Registry host[:port], e.g. `docker.io` or `127.0.0.1:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  path: string;
  /** Absent only when a digest is given without a tag. */
  tag: string | null;
  digest: string | null;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

const invalid = (input: string, why: string) =>
  new StevedoreError('INVALID_ARGUMENT', `invalid reference format "${input}": ${why}`, { reference: input });

/**
 * Parses an image reference with Docker's rules: `name[:tag][@digest]`, the first path component
 * being a registry when it has a `.` or `:`, is `localhost`, or has upper-case letters.
 */
export function parseImageReference(input: string): ImageReference {
  const text = input.trim();
  if (text === '') throw invalid(input, 'it is empty');

  let rest = text;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(input, 'the digest must look like sha256:<64 hex digits>');
    if (digest.startsWith('sha256:') && !SHA256_DIGEST.test(digest)) {
      throw invalid(input, 'a sha256 digest has exactly 64 lower-case hex digits');
    }
  }

  let tag: string | null = null;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) {
      throw invalid(
        input,
        'a tag is 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"',
      );
    }
  }

  if (rest.length > MAX_NAME_LENGTH)
    throw invalid(input, `the repository name is longer than ${MAX_NAME_LENGTH} characters`);
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  const hasDomain =
    slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  let domain = hasDomain ? first : DEFAULT_DOMAIN;
  let path = hasDomain ? rest.slice(slash + 1) : rest;
  if (hasDomain && !DOMAIN.test(domain))
    throw invalid(input, `"${domain}" is not a valid registry host[:port]`);
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;

  const components = path.split('/');
  for (const component of components) {
    if (component === '') throw invalid(input, 'the repository name has an empty path component');
    if (component.toLowerCase() !== component) throw invalid(input, 'repository name must be lowercase');
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(
        input,
        `"${component}" is not a valid path component (lower-case letters and digits, separated by ".", "_", "__" or "-")`,
      );
    }
  }
  if (domain === DEFAULT_DOMAIN && components.length === 1) path = `${OFFICIAL_REPO_PREFIX}${path}`;
  if (tag === null && digest === null) tag = 'latest';
  return { domain, path, tag, digest };
}

/** The canonical string: `docker.io/library/busybox:latest`, `host:5000/app@sha256:…`. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Docker's short display form: `busybox:latest`, `user/app:1.0`, `host:5000/app:1`. */
export function familiarImageName(ref: ImageReference): string {
  let name = `${ref.domain}/${ref.path}`;
  if (ref.domain === DEFAULT_DOMAIN) {
    name = ref.path.startsWith(OFFICIAL_REPO_PREFIX) ? ref.path.slice(OFFICIAL_REPO_PREFIX.length) : ref.path;
  }
  return `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** A zod schema for API inputs: a string that parses as an image reference, kept as typed. */
export const ImageReferenceString = z.string().superRefine((value, ctx) => {
  try {
    parseImageReference(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
  }
});
