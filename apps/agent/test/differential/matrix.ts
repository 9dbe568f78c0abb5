/**
 * The command matrix run against Docker and Stevedore. Each case is a few steps run in order on
 * both engines; each step's results are compared (compare.ts). Placeholders: {image} the busybox
 * image in the test registry, {registry} that registry's host:port, {tmp} a directory of the
 * engine's own, {since} the Unix time the case started on that engine, {now} the time of the step.
 * Containers run with `--network none`: the Docker under test has no default bridge.
 */
import { containersCases } from './matrix/containers.js';
import { errorsCases } from './matrix/errors.js';
import { imagesCases } from './matrix/images.js';
import type { Case } from './matrix/steps.js';
import { volumesNetworksCases } from './matrix/volumes-networks.js';

export type { Case, Step } from './matrix/steps.js';

export const MATRIX: Case[] = [...imagesCases, ...containersCases, ...volumesNetworksCases, ...errorsCases];
