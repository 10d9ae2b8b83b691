/**
 * Checks HTTP answers against an OpenAPI 3.1 document: the operation declares the status, the declared
 * required headers are there, and the body is what the response's schema says (Ajv, JSON Schema 2020-12),
 * or empty when the response has no content.
 */
import { request } from 'node:http';
import Ajv2020 from 'ajv/dist/2020';

export interface Answer {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly body: unknown;
}

/** An HTTP request with any method, Host and body (fetch refuses a body on GET and sets Host itself). */
export function rawRequest(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = {
      ...options.headers,
      // Without it, Node sends a GET's body unframed, and the server takes it for the next request.
      ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }),
    };
    const outgoing = request(url, { method: options.method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => {
        const answered: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) answered[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: response.statusCode ?? 0, headers: answered, text, body: parseJson(text) });
      });
    });
    outgoing.once('error', reject);
    outgoing.end(options.body);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

interface ResponseObject {
  readonly $ref?: string;
  readonly content?: Record<string, { schema?: unknown }>;
  readonly headers?: Record<string, { required?: boolean } | { $ref: string }>;
}
interface Operation {
  readonly responses: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components?: Record<string, Record<string, unknown>>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const escapePointer = (part: string): string => part.replace(/~/g, '~0').replace(/\//g, '~1');

/** Validates answers against one document. */
export class ContractChecker {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly validators = new Map<string, ReturnType<Ajv2020['compile']>>();
  private static readonly ID = 'https://ad-sync.invalid/openapi.json';

  constructor(readonly document: OpenApiDocument) {
    this.ajv.addSchema({ ...document, $id: ContractChecker.ID });
  }

  /** The problems of an answer to `method` on `resource` (a path of the document); none when it conforms. */
  problems(method: string, resource: string, answer: Answer): string[] {
    const pathItem = this.document.paths[resource];
    if (!pathItem) return [`the document has no path ${resource}`];
    const operation = pathItem[method.toLowerCase()];
    // A method the path does not serve: every operation of the path must declare the answer (405, say).
    const operations = operation
      ? [[method.toLowerCase(), operation] as const]
      : Object.entries(pathItem).filter(([name]) => HTTP_METHODS.includes(name));
    return operations.flatMap(([name, candidate]) =>
      this.problemsOf(`${name.toUpperCase()} ${resource}`, [resource, name], candidate, answer).map(
        (problem) => (operation ? problem : `(${method} is not an operation) ${problem}`),
      ),
    );
  }

  /** The statuses the document declares for an operation. */
  declaredStatuses(method: string, resource: string): string[] {
    return Object.keys(this.document.paths[resource]?.[method.toLowerCase()]?.responses ?? {});
  }

  private problemsOf(label: string, at: string[], operation: Operation, answer: Answer): string[] {
    const declared = operation.responses[String(answer.status)];
    if (!declared) {
      return [
        `${label} answered ${answer.status} ${answer.text.slice(0, 300)}, a status the document does not declare ` +
          `(it declares ${Object.keys(operation.responses).join(', ')})`,
      ];
    }
    let pointer = ['paths', ...at, 'responses', String(answer.status)].map(escapePointer).join('/');
    let response = declared;
    if (declared.$ref) {
      pointer = declared.$ref.replace(/^#\//, '');
      response = this.resolve(declared.$ref) as ResponseObject;
    }
    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const required = ('$ref' in header ? this.resolve(header.$ref) : header) as { required?: boolean };
      if (required.required && answer.headers[name.toLowerCase()] === undefined) {
        problems.push(`${label} ${answer.status}: the declared header ${name} is missing`);
      }
    }
    const json = response.content?.['application/json'];
    if (!json?.schema) {
      if (answer.text !== '') problems.push(`${label} ${answer.status}: a body where none is declared`);
      return problems;
    }
    if (!/^application\/json\b/.test(answer.headers['content-type'] ?? '')) {
      problems.push(`${label} ${answer.status}: Content-Type ${answer.headers['content-type']}, not JSON`);
    }
    const ref = `${ContractChecker.ID}#/${pointer}/content/application~1json/schema`;
    const validate = this.validators.get(ref) ?? this.ajv.compile({ $ref: ref });
    this.validators.set(ref, validate);
    if (!validate(answer.body)) {
      problems.push(
        `${label} ${answer.status}: the body does not match the schema: ` +
          `${this.ajv.errorsText(validate.errors?.slice(0, 5))} (body: ${answer.text.slice(0, 300)})`,
      );
    }
    return problems;
  }

  private resolve(ref: string): unknown {
    const parts = ref
      .replace(/^#\//, '')
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: unknown = this.document;
    for (const part of parts) node = (node as Record<string, unknown> | undefined)?.[part];
    if (node === undefined) throw new Error(`the document has no ${ref}`);
    return node;
  }
}
