import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImageConfig, ImageConfigSchema, StevedoreError } from '@stevedore/shared';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-file.js';

const ImageRecordSchema = z.object({
  /** The config digest, Docker's image ID. */
  id: z.string(),
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  /** Chain ids of the layers, bottom first. */
  chainIds: z.array(z.string()),
  /**
   * Each layer's blob as it came (pulled, loaded or committed), kept in the content store so
   * `save` and `push` hand out the exact bytes. Absent for images stored before blobs were kept.
   */
  blobs: z.array(z.object({ digest: z.string(), mediaType: z.string(), size: z.number().int() })).optional(),
  /** Uncompressed bytes of all layers. */
  size: z.number().int().nonnegative(),
  config: ImageConfigSchema,
  pulledAt: z.string(),
});
export type ImageRecord = z.infer<typeof ImageRecordSchema>;

/** Image metadata, one JSON file per image under `<data-root>/image/`, written atomically. */
export class ImageStore {
  constructor(private readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async list(): Promise<ImageRecord[]> {
    const names = (await readdir(this.dir)).filter((name) => name.endsWith('.json'));
    const records = await Promise.all(names.map((name) => this.read(join(this.dir, name))));
    return records.filter((r): r is ImageRecord => r !== null);
  }

  /** Records a pulled image; the tag moves to it from any image that had it (Docker's behaviour). */
  async save(
    image: Omit<ImageRecord, 'repoTags' | 'repoDigests'>,
    tag: string | null,
    repoDigest: string,
  ): Promise<ImageRecord> {
    const existing = (await this.get(image.id)) ?? { ...image, repoTags: [], repoDigests: [] };
    if (tag) {
      for (const other of await this.list()) {
        if (other.id !== image.id && other.repoTags.includes(tag)) {
          await this.write({ ...other, repoTags: other.repoTags.filter((t) => t !== tag) });
        }
      }
    }
    const blobs = existing.blobs ?? image.blobs;
    const record: ImageRecord = {
      ...existing,
      ...(blobs ? { blobs } : {}),
      pulledAt: image.pulledAt,
      repoTags: unique([...existing.repoTags, ...(tag ? [tag] : [])]),
      repoDigests: unique([...existing.repoDigests, ...(repoDigest ? [repoDigest] : [])]),
    };
    await this.write(record);
    return record;
  }

  /** The image a reference names: a repo:tag, a repo@digest, a full ID or an ID prefix of 12+ hex. */
  async resolve(nameOrId: string, canonicalName: string | null): Promise<ImageRecord | null> {
    const images = await this.list();
    const hex = nameOrId.replace(/^sha256:/, '');
    if (/^[a-f0-9]{12,64}$/.test(hex)) {
      const matches = images.filter((image) => image.id.slice('sha256:'.length).startsWith(hex));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1)
        throw new StevedoreError(
          'CONFLICT',
          `"${nameOrId}" matches ${matches.length} images; give more of the ID`,
        );
    }
    if (!canonicalName) return null;
    return (
      images.find(
        (image) => image.repoTags.includes(canonicalName) || image.repoDigests.includes(canonicalName),
      ) ?? null
    );
  }

  async addTag(id: string, tag: string): Promise<ImageRecord> {
    const image = await this.get(id);
    if (!image) throw new StevedoreError('NOT_FOUND', `No such image: ${id}`, { id });
    return this.save(image, tag, image.repoDigests[0] ?? '');
  }

  /** Takes a tag off its image; returns the image as it is left (maybe with no tags). */
  async removeTag(id: string, tag: string): Promise<ImageRecord> {
    const image = await this.get(id);
    if (!image) throw new StevedoreError('NOT_FOUND', `No such image: ${id}`, { id });
    const left = { ...image, repoTags: image.repoTags.filter((t) => t !== tag) };
    await this.write(left);
    return left;
  }

  async delete(id: string): Promise<void> {
    await rm(this.fileOf(id), { force: true });
  }

  async get(id: string): Promise<ImageRecord | null> {
    return this.read(this.fileOf(id));
  }

  private async read(path: string): Promise<ImageRecord | null> {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    return text === null ? null : ImageRecordSchema.parse(JSON.parse(text));
  }

  private write(record: ImageRecord): Promise<void> {
    return writeFileAtomic(this.fileOf(record.id), JSON.stringify(record));
  }

  private fileOf(id: string): string {
    const hex = /^sha256:([a-f0-9]{64})$/.exec(id)?.[1];
    if (!hex) throw new StevedoreError('INVALID_ARGUMENT', `"${id}" is not an image id`, { id });
    return join(this.dir, `${hex}.json`);
  }
}

const unique = (values: string[]) => [...new Set(values)];

export type { ImageConfig };
