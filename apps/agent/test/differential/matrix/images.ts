/** Images: version and info, listing, tags, save/load, an image a container stands on. */
import { type Case, run, step } from './steps.js';

export const imagesCases: Case[] = [
  {
    id: 'version-info',
    steps: [
      step(['version', '--format', '{{json .Client}}'], 'keys'),
      step(['version', '--format', '{{json .Server}}'], 'keys'),
      step(['version', '--format', '{{.Server.APIVersion}}'], 'ignore'),
      step(['info', '--format', '{{json .}}'], 'keys'),
      step(['info', '--format', '{{.LoggingDriver}} {{.CgroupVersion}}']),
    ],
  },
  {
    id: 'images',
    steps: [
      step(['pull', '-q', '{image}']),
      step(['images', '--filter', 'reference={registry}/*/*'], 'table'),
      step(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}']),
      step(['images', '-q', '--filter', 'dangling=true']),
      step([
        'images',
        '--digests',
        '--format',
        '{{.Repository}} {{.Digest}}',
        '--filter',
        'reference={registry}/*/*',
      ]),
      step(['image', 'inspect', '{image}'], 'keys'),
      step(['history', '{image}'], 'table'),
      step(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', '{image}']),
      step(['pull', '{image}']),
    ],
  },
  {
    id: 'tag-rmi',
    steps: [
      step(['tag', '{image}', 'diff/tagged:v1']),
      step(['images', '--format', '{{.Repository}}:{{.Tag}}', 'diff/tagged']),
      step(['rmi', 'diff/tagged:v1']),
      step(['rmi', 'diff/tagged:v1']),
      step(['rmi', '-f', 'diff/tagged:v1']),
    ],
  },
  {
    id: 'save-load',
    steps: [
      step(['tag', '{image}', 'diff/saved:v1']),
      step(['save', '-o', '{tmp}/saved.tar', 'diff/saved:v1']),
      step(['rmi', 'diff/saved:v1']),
      step(['load', '-i', '{tmp}/saved.tar']),
      step(['images', '--format', '{{.Repository}}:{{.Tag}}', 'diff/saved']),
      step(['rmi', 'diff/saved:v1']),
    ],
    cleanup: [['rmi', '-f', 'diff/saved:v1']],
  },
  {
    id: 'image-in-use',
    steps: [
      step(['tag', '{image}', 'diff/used:v1']),
      step([...run, '-d', '--name', 'diff-u1', 'diff/used:v1', 'sleep', '300']),
      step(['rmi', 'diff/used:v1']),
      step(['rmi', '-f', 'diff/used:v1']),
      step(['stop', '-t', '0', 'diff-u1']),
      step(['start', 'diff-u1']),
      step(['rm', '-f', 'diff-u1']),
    ],
    cleanup: [
      ['rm', '-f', 'diff-u1'],
      ['rmi', '-f', 'diff/used:v1'],
    ],
  },
];
