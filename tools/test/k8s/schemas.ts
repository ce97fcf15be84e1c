// Validates rendered Kubernetes objects against the Kubernetes OpenAPI schemas and the KEDA and Prometheus Operator
// CRD schemas, as shipped (precompiled) by the `kubernetes-models` packages. Those schemas accept unknown fields, so a
// second, strict pass (like kubeconform -strict) walks each object along the packages' type declarations (read with the
// TypeScript compiler API) and reports every field the API does not define: a misspelt `livenesProbe` fails here.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { isObject, type Json, type K8sObject } from './render.ts';

/** Module path of the model class for an apiVersion (e.g. apps/v1 → kubernetes-models/apps/v1). */
function modelModule(apiVersion: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group === 'monitoring.coreos.com')
    return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`;
  if (group === '') return `kubernetes-models/${version}`;
  if (group && group.includes('.') && !group.endsWith('.k8s.io')) return undefined;
  return `kubernetes-models/${group}/${version}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** Schema errors of one object ("Deployment/gateway: data/spec/... must be integer"), empty when valid. */
export async function schemaErrors(object: K8sObject): Promise<string[]> {
  const id = `${object.kind}/${object.metadata.name}`;
  const module = modelModule(object.apiVersion);
  if (!module) return [`${id}: no schema known for apiVersion ${object.apiVersion}`];
  let exports: Record<string, unknown>;
  try {
    exports = (await import(module)) as Record<string, unknown>;
  } catch {
    return [`${id}: no schema known for apiVersion ${object.apiVersion}`];
  }
  const Model = exports[object.kind] as ModelClass | undefined;
  if (typeof Model !== 'function') return [`${id}: ${object.apiVersion} has no kind ${object.kind}`];
  const errors: string[] = [];
  try {
    new Model(object).validate();
  } catch (error) {
    errors.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
  }
  errors.push(...unknownFieldErrors(object, module).map((e) => `${id}: ${e}`));
  return errors;
}

// ---- strict pass: unknown fields, along the type declarations ----

/** A field type: an object type with known members (or an index signature), a list, or anything else (a leaf). */
type Shape =
  | { kind: 'object'; members: Map<string, () => Shape>; index?: () => Shape }
  | { kind: 'array'; item: () => Shape }
  | { kind: 'leaf' };

const LEAF: Shape = { kind: 'leaf' };
const sourceCache = new Map<string, ts.SourceFile>();
const interfaceCache = new Map<string, Shape>();

function sourceOf(file: string): ts.SourceFile {
  let source = sourceCache.get(file);
  if (!source) {
    source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    sourceCache.set(file, source);
  }
  return source;
}

/** Finds `<pkg>/<subpath>.d.ts` the way Node looks up packages: node_modules folders upwards from `fromFile`. */
function resolveDeclarationFile(specifier: string, fromFile: string): string | undefined {
  const strip = (p: string) => p.replace(/\.js$/, '');
  if (specifier.startsWith('.')) {
    const base = strip(resolve(dirname(fromFile), specifier));
    return [`${base}.d.ts`, `${base}/index.d.ts`].find((c) => existsSync(c));
  }
  const parts = specifier.split('/');
  const pkg = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  const subpath = strip(parts.slice(specifier.startsWith('@') ? 2 : 1).join('/'));
  for (let dir = dirname(fromFile); ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', pkg);
    if (existsSync(root)) {
      const base = subpath ? join(root, subpath) : join(root, 'index');
      return [`${base}.d.ts`, `${base}/index.d.ts`].find((c) => existsSync(c));
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The shape of interface `name` declared (or imported, or re-exported under an alias) in `file`. */
function interfaceShape(file: string, name: string): Shape {
  const key = `${file}#${name}`;
  const cached = interfaceCache.get(key);
  if (cached) return cached;
  interfaceCache.set(key, LEAF); // breaks cycles (recursive schemas such as JSONSchemaProps)
  const source = sourceOf(file);
  let shape: Shape = LEAF;
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement) && statement.name.text === name) {
      shape = membersShape(statement.members, file);
      break;
    }
    if (ts.isTypeAliasDeclaration(statement) && statement.name.text === name) {
      shape = typeShape(statement.type, file);
      break;
    }
    // `export type { IContainer as IIoK8sApiCoreV1Container }`
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      const alias = statement.exportClause.elements.find((e) => e.name.text === name && e.propertyName);
      if (alias?.propertyName && !statement.moduleSpecifier) {
        shape = interfaceShape(file, alias.propertyName.text);
        break;
      }
    }
    if (
      ts.isImportDeclaration(statement) &&
      statement.importClause?.namedBindings &&
      ts.isNamedImports(statement.importClause.namedBindings)
    ) {
      const binding = statement.importClause.namedBindings.elements.find((e) => e.name.text === name);
      if (binding && ts.isStringLiteral(statement.moduleSpecifier)) {
        const target = resolveDeclarationFile(statement.moduleSpecifier.text, file);
        if (target) shape = interfaceShape(target, (binding.propertyName ?? binding.name).text);
        break;
      }
    }
  }
  interfaceCache.set(key, shape);
  return shape;
}

function membersShape(members: ts.NodeArray<ts.TypeElement>, file: string): Shape {
  const map = new Map<string, () => Shape>();
  let index: (() => Shape) | undefined;
  for (const member of members) {
    if (ts.isPropertySignature(member) && member.type) {
      const name = ts.isStringLiteral(member.name) || ts.isIdentifier(member.name) ? member.name.text : undefined;
      const type = member.type;
      if (name) map.set(name, () => typeShape(type, file));
    } else if (ts.isIndexSignatureDeclaration(member)) {
      const type = member.type;
      index = () => typeShape(type, file);
    }
  }
  return index ? { kind: 'object', members: map, index } : { kind: 'object', members: map };
}

function typeShape(type: ts.TypeNode, file: string): Shape {
  if (ts.isTypeLiteralNode(type)) return membersShape(type.members, file);
  if (ts.isArrayTypeNode(type)) return { kind: 'array', item: () => typeShape(type.elementType, file) };
  if (ts.isParenthesizedTypeNode(type)) return typeShape(type.type, file);
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
    const name = type.typeName.text;
    const [arg] = type.typeArguments ?? [];
    if (name === 'Array' && arg) return { kind: 'array', item: () => typeShape(arg, file) };
    if (name === 'Record' || name === 'ModelData' || name === 'Partial') return LEAF;
    return interfaceShape(file, name);
  }
  return LEAF; // unions, primitives, literals: the schema pass checks those
}

function walk(value: Json, shape: Shape, path: string, errors: string[]): void {
  if (shape.kind === 'array') {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, shape.item(), `${path}[${i}]`, errors));
    return;
  }
  if (shape.kind !== 'object' || !isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const member = shape.members.get(key) ?? shape.index;
    if (!member) {
      errors.push(`unknown field ${path ? `${path}.` : ''}${key}`);
      continue;
    }
    walk(child, member(), path ? `${path}.${key}` : key, errors);
  }
}

function unknownFieldErrors(object: K8sObject, module: string): string[] {
  const file = resolveDeclarationFile(`${module}/${object.kind}`, import.meta.filename);
  if (!file) return [`no type declarations for ${object.apiVersion} ${object.kind}`];
  const shape = interfaceShape(file, `I${object.kind}`);
  if (shape.kind !== 'object' || shape.members.size === 0)
    return [`no type declarations for ${object.apiVersion} ${object.kind}`];
  const errors: string[] = [];
  walk(object as unknown as Json, shape, '', errors);
  return errors;
}
