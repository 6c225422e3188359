/**
 * `gradcam-edge`, the command line of the API (bin/gradcam-edge.js runs it):
 *
 *   npx gradcam-edge explain photo.jpg [--url BASE] [--model ID] [--method M] [--class C]... [--topk K]
 *                                     [--out overlay.png] [--json]
 *
 * prints the top classes and the explanation's links (with `--json`, the document), and with `--out`
 * writes the overlay PNG. Progress goes to stderr, so stdout stays clean for `--json | jq`.
 * Exit codes: EXIT_CODES below. `runCli` takes its IO, so tests run it in process too.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GradcamApiError } from '../../client/client-error';
import { createGradcamClient, type ExplainResponse } from '../../client/gradcam-client';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8787';

export const EXIT_CODES = {
  ok: 0,
  /** The API answered with a problem (bad options, not an image, unknown model…). */
  problem: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** The image file cannot be read. */
  missingFile: 3,
  /** The service did not answer. */
  unreachable: 4,
} as const;

export const USAGE = `Usage: gradcam-edge explain <image> [options]

Explains an image classifier's decision on <image> with a Grad-CAM heat map, computed by the service.

Options:
  --url BASE        the service (default: $GRADCAM_EDGE_URL or ${DEFAULT_BASE_URL})
  --model ID        model id (GET /v1/models; default: the service's default model)
  --method M        explanation method (default: grad-cam)
  --class C         class to explain, by label index or name; repeatable (wins over --topk)
  --topk K          explain the K best classes (1-10, default 3)
  --out FILE        write the overlay (the map over the image) as a PNG
  --json            print the explanation document as JSON instead of the summary
  -h, --help        this help

Exit codes: 0 ok, 1 the API refused (its problem's title is printed), 2 usage, 3 unreadable file, 4 service unreachable.`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (then progress rewrites one line). */
  interactive: boolean;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function summary(result: ExplainResponse): string {
  const explained = new Set(result.explanations.map((e) => e.index));
  const width = Math.max(...result.predictions.map((p) => p.label.length));
  const lines = [
    `${result.model.id} (${result.method}, layer ${result.layer.name}), cache ${result.cache}`,
    '',
    ...result.predictions.map((p, i) => `${String(i + 1).padStart(2)}. ${p.label.padEnd(width)}  ${(p.score * 100).toFixed(2).padStart(6)} %${explained.has(p.index) ? '  explained' : ''}`),
  ];
  if (result.links) {
    lines.push('', ...Object.entries({ page: result.links.page, embed: result.links.embed, overlay: result.links.overlay, json: result.links.self }).map(([k, v]) => `${k.padEnd(8)} ${v}`));
  } else {
    lines.push('', 'not stored: no links');
  }
  return `${lines.join('\n')}\n`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        model: { type: 'string' },
        method: { type: 'string' },
        class: { type: 'string', multiple: true },
        topk: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`gradcam-edge: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_CODES.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT_CODES.ok;
  }
  const [command, file, ...rest] = positionals;
  if (command !== 'explain' || !file || rest.length > 0) {
    io.stderr(`${USAGE}\n`);
    return EXIT_CODES.usage;
  }
  const topk = values.topk === undefined ? undefined : Number(values.topk);
  if (topk !== undefined && !Number.isInteger(topk)) {
    io.stderr(`gradcam-edge: --topk must be a whole number, not "${values.topk}"\n`);
    return EXIT_CODES.usage;
  }

  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (error) {
    io.stderr(`gradcam-edge: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return EXIT_CODES.missingFile;
  }

  const baseUrl = values.url ?? io.env.GRADCAM_EDGE_URL ?? DEFAULT_BASE_URL;
  const client = createGradcamClient({ baseUrl, fetch: io.fetch });
  const name = path.basename(file);
  let lastPercent = -1;
  try {
    const result = await client.explain(bytes, {
      model: values.model,
      method: values.method,
      classes: values.class,
      topk,
      contentType: TYPES[path.extname(file).toLowerCase()],
      onUploadProgress: (sent, total) => {
        const percent = Math.floor((sent / total) * 100);
        if (percent === lastPercent || (!io.interactive && sent < total)) return;
        lastPercent = percent;
        io.stderr(`${io.interactive ? '\r' : ''}Uploading ${name}: ${percent} % of ${kilobytes(total)}${sent === total ? ', computing…\n' : ''}`);
      },
    });
    io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : summary(result));
    if (values.out) {
      if (!result.id) throw new GradcamApiError({ type: 'about:blank', title: 'No overlay', status: 0, detail: 'the explanation was not stored' });
      const png = await client.overlay(result.id);
      await writeFile(values.out, png);
      io.stderr(`Wrote ${values.out} (${kilobytes(png.byteLength)})\n`);
    }
    return EXIT_CODES.ok;
  } catch (error) {
    if (!(error instanceof GradcamApiError)) throw error;
    io.stderr(`${lastPercent >= 0 && lastPercent < 100 && io.interactive ? '\n' : ''}gradcam-edge: ${error.message}\n`);
    return error.unreachable ? EXIT_CODES.unreachable : EXIT_CODES.problem;
  }
}

/** The process's own IO, for bin/gradcam-edge.js. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}
