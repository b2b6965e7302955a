/**
 * A provider's schema rebuilt from its prebuilt CDKTF bindings (`@cdktf/provider-helm`,
 * `@cdktf/provider-kubernetes`): the generated code carries every configurable attribute's name,
 * type and block nesting (`synthesizeHclAttributes`), which are required (`<Class>Config` and the
 * struct interfaces of its `.d.ts`), and every read-only attribute (its getters). What it cannot
 * say (optional or also computed, sensitive, a nested attribute or a block, a block's nesting) the
 * provider's own facts settle (`provider-facts.ts`, read from the provider's source).
 *
 * The result has the shape of `terraform providers schema -json`, which the provider server
 * (`schema-server.ts`) serves to Terraform over the plugin protocol.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tokenization } from 'cdktf';

/** Loads the bindings' generated modules, found at run time. */
const load = createRequire(__filename);

/** A cty type in Terraform's JSON form: `"string"`, `["list", "string"]`, `["object", {...}]`. */
export type CtyType =
  | string
  | readonly [string, CtyType]
  | readonly ['object', Record<string, CtyType>];

/** The element type of a list, set or map type. */
function elementOf(type: CtyType): CtyType | undefined {
  return Array.isArray(type) && type[0] !== 'object' ? (type[1] as CtyType) : undefined;
}

export interface SchemaAttribute {
  type?: CtyType;
  /** A protocol-6 nested attribute (`SingleNestedAttribute`, `ListNestedAttribute`, …). */
  nested_type?: { nesting_mode: NestingMode; attributes: Record<string, SchemaAttribute> };
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  /** Never stored in the plan or the state (Terraform 1.11's write-only arguments). */
  write_only?: boolean;
}

export type NestingMode = 'single' | 'list' | 'set' | 'map';

export interface SchemaBlockType {
  nesting_mode: NestingMode;
  block: SchemaBlock;
  min_items?: number;
  max_items?: number;
}

export interface SchemaBlock {
  attributes: Record<string, SchemaAttribute>;
  block_types: Record<string, SchemaBlockType>;
}

export interface ProviderSchema {
  /** `registry.terraform.io/hashicorp/helm` */
  readonly address: string;
  /** The provider's version the bindings were generated from. */
  readonly version: string;
  readonly provider: SchemaBlock;
  readonly resources: Record<string, SchemaBlock>;
  readonly dataSources: Record<string, SchemaBlock>;
}

/** How the provider represents what the bindings call a block (`isBlock`). */
export interface NestingStyle {
  /**
   * `blocks`: SDKv2 providers (every nested object a block; one of at most one item a list
   * block with `max_items = 1`). `attributes`: plugin-framework providers whose nested objects
   * are nested attributes (`SingleNestedAttribute`, `ListNestedAttribute`, …).
   */
  readonly nested: 'blocks' | 'attributes';
}

interface HclAttribute {
  readonly value: unknown;
  readonly isBlock: boolean;
  readonly type: 'simple' | 'list' | 'set' | 'map' | 'struct';
  readonly storageClassType: string;
}

const NESTED = Symbol('nested');
/** What a mapper made of a struct list or map: the element mapper, to probe on its own. */
interface NestedMarker {
  readonly [NESTED]: (struct: unknown) => Record<string, HclAttribute>;
}
const PRIMITIVES: Record<string, CtyType> = {
  string: 'string',
  number: 'number',
  boolean: 'bool',
  stringList: ['list', 'string'],
  numberList: ['list', 'number'],
  booleanList: ['list', 'bool'],
  stringMap: ['map', 'string'],
  numberMap: ['map', 'number'],
  booleanMap: ['map', 'bool'],
  // Only `manifest`-like attributes: Terraform's DynamicPseudoType.
  anyMap: 'dynamic',
};

/**
 * A value every property of which is itself: what the generated code reads from `this._x`,
 * `.internalValue` and a struct's fields while it lays out the attributes.
 */
const probe: unknown = new Proxy(
  {},
  {
    get: (_target, prop) => (typeof prop === 'symbol' || prop === 'then' ? undefined : probe),
    has: () => false,
  },
);

/**
 * Runs `layout` (a class's `synthesizeHclAttributes`, or a struct's `…ToHclTerraform`) against the
 * probe with cdktf's value mappers replaced by markers, and returns the attributes it declared.
 */
function declared(layout: () => unknown): Record<string, HclAttribute> {
  // cdktf's index re-exports these through getters that read its runtime module: patch that.
  const mutable = load(join(dirname(load.resolve('cdktf')), 'runtime.js')) as Record<
    string,
    unknown
  >;
  const encoding = load(
    join(dirname(load.resolve('cdktf')), 'tokens', 'private', 'encoding.js'),
  ) as Record<string, unknown>;
  const tokenization = Tokenization as unknown as Record<string, unknown>;
  const saved = {
    stringToHclTerraform: mutable.stringToHclTerraform,
    numberToHclTerraform: mutable.numberToHclTerraform,
    booleanToHclTerraform: mutable.booleanToHclTerraform,
    anyToHclTerraform: mutable.anyToHclTerraform,
    listMapperHcl: mutable.listMapperHcl,
    hashMapperHcl: mutable.hashMapperHcl,
    canInspect: mutable.canInspect,
    isComplexElement: encoding.isComplexElement,
    isResolvable: tokenization.isResolvable,
  };
  const replace = (target: Record<string, unknown>, values: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(values)) {
      target[key] = value;
    }
  };
  const nested = (mapper: NestedMarker[typeof NESTED]) => (): NestedMarker => ({
    [NESTED]: mapper,
  });
  replace(mutable, {
    stringToHclTerraform: () => 'probe',
    numberToHclTerraform: () => 0,
    booleanToHclTerraform: () => true,
    anyToHclTerraform: () => 'probe',
    listMapperHcl: nested,
    hashMapperHcl: nested,
    canInspect: () => true,
  });
  replace(encoding, { isComplexElement: () => false });
  replace(tokenization, { isResolvable: () => false });
  try {
    return layout() as Record<string, HclAttribute>;
  } finally {
    replace(mutable, {
      stringToHclTerraform: saved.stringToHclTerraform,
      numberToHclTerraform: saved.numberToHclTerraform,
      booleanToHclTerraform: saved.booleanToHclTerraform,
      anyToHclTerraform: saved.anyToHclTerraform,
      listMapperHcl: saved.listMapperHcl,
      hashMapperHcl: saved.hashMapperHcl,
      canInspect: saved.canInspect,
    });
    replace(encoding, { isComplexElement: saved.isComplexElement });
    replace(tokenization, { isResolvable: saved.isResolvable });
  }
}

/**
 * A property of a generated interface, by its Terraform name: optional or not, and whether it
 * holds one struct rather than an array (a block of at most one item).
 */
interface Property {
  readonly optional: boolean;
  readonly single: boolean;
}
type Interfaces = Map<string, Map<string, Property>>;

/** The interfaces of a binding's `.d.ts`: each property's Terraform name (its doc link's anchor). */
export function readInterfaces(dts: string): Interfaces {
  const interfaces: Interfaces = new Map();
  for (const match of dts.matchAll(/export interface (\w+)(?: extends [^{]+)? \{([\s\S]*?)\n\}/g)) {
    const [, name = '', body = ''] = match;
    const properties = new Map<string, Property>();
    for (const member of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*readonly (\w+)(\??): ([^;]+);/g)) {
      const [, doc = '', , optional, type = ''] = member;
      const anchor = /\{@link https:\/\/registry\.terraform\.io\/[^#}\s]+#([\w-]+) /.exec(doc);
      if (anchor?.[1]) {
        properties.set(anchor[1], { optional: optional === '?', single: !type.includes('[]') });
      }
    }
    interfaces.set(name, properties);
  }
  return interfaces;
}

/** The struct interface a storage class names: `ReleaseSetList` → `ReleaseSet`. */
function structName(storageClassType: string): string {
  return storageClassType.replace(/(List|Map)$/, '');
}

/** Terraform's type of a read-only attribute, from its getter's source. */
function getterType(source: string): CtyType | undefined {
  const read = /this\.get(\w*?)Attribute\('([\w-]+)'\)/.exec(source);
  if (!read) return undefined;
  const asSet = /Fn\.toset|Fn\.tolist\(this\.get/.test(source);
  const types: Record<string, CtyType> = {
    String: 'string',
    Number: 'number',
    Boolean: 'bool',
    List: ['list', 'string'],
    NumberList: ['list', 'number'],
    StringMap: ['map', 'string'],
    NumberMap: ['map', 'number'],
    BooleanMap: ['map', 'bool'],
    AnyMap: 'dynamic',
    Any: 'dynamic',
  };
  const type = types[read[1] ?? ''];
  const element = type === undefined ? undefined : elementOf(type);
  if (asSet && element && Array.isArray(type) && type[0] === 'list') return ['set', element];
  return type;
}

type Exports = Record<string, unknown>;
type Constructor = { prototype: object; toString(): string };

/**
 * The read-only attributes a generated class exposes: its getters that read an attribute, and
 * the complex objects its constructor makes (`new XOutputReference(this, "metadata")`).
 */
function readOnlyAttributes(
  cls: Constructor,
  exports: Exports,
  depth = 0,
): Record<string, CtyType> {
  const found: Record<string, CtyType> = {};
  if (depth > 12) return found;
  // The class's own getters only: its bases are cdktf's.
  for (const key of Object.getOwnPropertyNames(cls.prototype)) {
    const getter = Object.getOwnPropertyDescriptor(cls.prototype, key)?.get;
    if (!getter) continue;
    const source = getter.toString();
    const name = /this\.get\w*?Attribute\('([\w-]+)'\)/.exec(source)?.[1];
    const type = getterType(source);
    if (name && type) found[name] = type;
  }
  const constructorSource = cls.toString();
  for (const made of constructorSource.matchAll(
    // `new X(…)`, `new cdktf.StringMap(…)`, or through the bindings' own modules
    // (`new index_structs_1.X(…)`, the big resources' structs).
    /new (?:(cdktf)\.|\w+_1\.)?(\w+)\(this, "([\w-]+)"(, (true|false))?\)/g,
  )) {
    const [, fromCdktf, className = '', name = '', , isSet] = made;
    if (fromCdktf) {
      const maps: Record<string, CtyType> = {
        StringMap: ['map', 'string'],
        NumberMap: ['map', 'number'],
        BooleanMap: ['map', 'bool'],
        AnyMap: 'dynamic',
        StringMapList: ['list', ['map', 'string']],
      };
      const type = maps[className];
      if (type) found[name] = type;
      continue;
    }
    const complex = exports[className] as Constructor | undefined;
    if (!complex) continue;
    if (className.endsWith('List') || className.endsWith('Map')) {
      // A list or map of complex objects: its items are the matching OutputReference.
      const item = exports[`${className.replace(/(List|Map)$/, '')}OutputReference`] as
        | Constructor
        | undefined;
      if (!item) continue;
      const object: CtyType = ['object', readOnlyAttributes(item, exports, depth + 1)];
      found[name] = className.endsWith('Map')
        ? ['map', object]
        : [isSet === 'true' ? 'set' : 'list', object];
    } else {
      found[name] = ['object', readOnlyAttributes(complex, exports, depth + 1)];
    }
  }
  return found;
}

/** A struct's type as an attribute (a computed nested object read as a whole). */
function objectType(block: SchemaBlock): CtyType {
  const fields: Record<string, CtyType> = {};
  for (const [name, attribute] of Object.entries(block.attributes)) {
    fields[name] = attribute.type ?? nestedAsType(attribute);
  }
  for (const [name, nested] of Object.entries(block.block_types)) {
    const object = objectType(nested.block);
    fields[name] = nested.nesting_mode === 'single' ? object : [nested.nesting_mode, object];
  }
  return ['object', fields];
}

function nestedAsType(attribute: SchemaAttribute): CtyType {
  const nested = attribute.nested_type;
  if (!nested) return 'dynamic';
  const object = objectType({ attributes: nested.attributes, block_types: {} });
  return nested.nesting_mode === 'single' ? object : [nested.nesting_mode, object];
}

/**
 * The schema block of what `layout` declares; `config` the interface of its arguments
 * (required ones have no `?`), `cls` the class whose getters add the read-only attributes.
 */
function buildBlock(
  layout: () => unknown,
  config: string,
  interfaces: Interfaces,
  style: NestingStyle,
  readOnly: Record<string, CtyType>,
  exports: Exports,
): SchemaBlock {
  const attributes: Record<string, SchemaAttribute> = {};
  const blockTypes: Record<string, SchemaBlockType> = {};
  const properties = interfaces.get(config) ?? new Map<string, Property>();
  for (const [name, hcl] of Object.entries(declared(layout))) {
    const required = properties.get(name)?.optional === false;
    const presence = required ? { required: true } : { optional: true };
    const primitive = PRIMITIVES[hcl.storageClassType];
    if (!hcl.isBlock && primitive !== undefined) {
      const element = elementOf(primitive);
      const type: CtyType = hcl.type === 'set' && element ? ['set', element] : primitive;
      attributes[name] = { type, ...presence };
      continue;
    }
    // A struct, or a list, set or map of structs.
    const struct = structName(hcl.storageClassType);
    const value = hcl.value as NestedMarker | Record<string, HclAttribute>;
    const elementLayout =
      NESTED in value ? () => (value as NestedMarker)[NESTED](probe) : () => value;
    const reference = exports[`${struct}OutputReference`] as Constructor | undefined;
    const inner = buildBlock(
      elementLayout,
      struct,
      interfaces,
      style,
      reference ? readOnlyAttributes(reference, exports) : {},
      exports,
    );
    const mode: NestingMode =
      hcl.type === 'struct'
        ? 'single'
        : hcl.type === 'set'
          ? 'set'
          : hcl.type === 'map'
            ? 'map'
            : 'list';
    if (style.nested === 'attributes') {
      const nestedAttributes: Record<string, SchemaAttribute> = { ...inner.attributes };
      for (const [innerName, innerBlock] of Object.entries(inner.block_types)) {
        nestedAttributes[innerName] = {
          nested_type: {
            nesting_mode: innerBlock.nesting_mode,
            attributes: innerBlock.block.attributes,
          },
          optional: true,
        };
      }
      attributes[name] = {
        nested_type: { nesting_mode: mode, attributes: nestedAttributes },
        ...presence,
      };
    } else {
      // SDKv2 declares one single block, `timeouts`; any other lone struct is an object-typed
      // attribute (the manifest server's `wait_for`). A MaxItems 1 block is a list block of at
      // most one item, which the bindings type as one struct.
      if (mode === 'single' && name !== 'timeouts') {
        attributes[name] = { type: objectType(inner), ...presence };
      } else if (mode === 'single') {
        blockTypes[name] = { nesting_mode: 'single', block: inner };
      } else {
        const one = mode === 'list' && properties.get(name)?.single === true;
        blockTypes[name] = {
          nesting_mode: mode,
          block: inner,
          ...(one ? { max_items: 1 } : {}),
          ...(required ? { min_items: 1 } : {}),
        };
      }
    }
  }
  for (const [name, type] of Object.entries(readOnly)) {
    if (attributes[name] || blockTypes[name]) continue;
    attributes[name] = { type, computed: true };
  }
  return { attributes, block_types: blockTypes };
}

/** Every resource, data source and the provider of one `@cdktf/provider-*` package. */
export function schemaFromBindings(packageName: string, style: NestingStyle): ProviderSchema {
  const packageJson = load.resolve(`${packageName}/package.json`);
  const lib = join(dirname(packageJson), 'lib');
  const meta = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    cdktf?: { provider?: { name?: string; version?: string } };
  };
  const address = meta.cdktf?.provider?.name ?? '';
  const version = meta.cdktf?.provider?.version ?? '';
  const schema: ProviderSchema = {
    address,
    version,
    provider: { attributes: {}, block_types: {} },
    resources: {},
    dataSources: {},
  };
  for (const entry of readdirSync(lib, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(lib, entry.name);
    const exports = load(join(dir, 'index.js')) as Exports;
    // The big resources keep their structs' interfaces in index-structs/.
    const structs = join(dir, 'index-structs');
    const declarations = [
      join(dir, 'index.d.ts'),
      ...(existsSync(structs)
        ? readdirSync(structs)
            .filter((f) => f.endsWith('.d.ts'))
            .map((f) => join(structs, f))
        : []),
    ];
    const interfaces = readInterfaces(declarations.map((f) => readFileSync(f, 'utf8')).join('\n'));
    for (const [className, value] of Object.entries(exports)) {
      const cls = value as Constructor & { tfResourceType?: string };
      if (typeof value !== 'function' || typeof cls.tfResourceType !== 'string') continue;
      const layout = cls.prototype as { synthesizeHclAttributes?: () => unknown };
      const synthesize = layout.synthesizeHclAttributes;
      if (!synthesize) continue;
      const block = buildBlock(
        () => synthesize.call(probe),
        `${className}Config`,
        interfaces,
        style,
        readOnlyAttributes(cls, exports),
        exports,
      );
      // `id` a binding lets one set is the SDK's optional and computed one.
      const id = block.attributes.id;
      if (id?.optional) id.computed = true;
      if (entry.name === 'provider') {
        // `alias` is Terraform's meta-argument, not the provider's.
        delete block.attributes.alias;
        schema.provider.attributes = block.attributes;
        schema.provider.block_types = block.block_types;
      } else if (className.startsWith('Data')) {
        schema.dataSources[cls.tfResourceType] = block;
      } else {
        schema.resources[cls.tfResourceType] = block;
      }
    }
  }
  return schema;
}
