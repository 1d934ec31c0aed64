// The few parts of bpmn-moddle and bpmn-auto-layout that winpath uses (neither package ships types for its main entry).

declare module 'bpmn-moddle' {
  /** A moddle element: properties by name, `$type`, `$parent`, foreign attributes in `$attrs`. */
  export interface ModdleElement {
    readonly $type: string;
    $parent?: ModdleElement;
    $attrs?: Record<string, string>;
    $children?: ModdleElement[];
    $body?: string;
    readonly $descriptor: { ns: { prefix: string; localName: string; name: string }; properties: ModdleProperty[] };
    $instanceOf(type: string): boolean;
    get(name: string): unknown;
    set(name: string, value: unknown): void;
    [key: string]: unknown;
  }

  export interface ModdleProperty {
    name: string;
    ns: { name: string; localName: string; prefix: string };
    type: string;
    isMany?: boolean;
    isAttr?: boolean;
    isBody?: boolean;
    isReference?: boolean;
    isVirtual?: boolean;
  }

  export interface ModdleWarning {
    message: string;
    element?: ModdleElement;
    property?: string;
    value?: string;
    error?: Error;
  }

  export interface FromXmlResult {
    rootElement: ModdleElement;
    warnings: ModdleWarning[];
    elementsById: Record<string, ModdleElement>;
    references: unknown[];
  }

  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string, options?: Record<string, unknown>): Promise<FromXmlResult>;
    toXML(element: ModdleElement, options?: { format?: boolean; preamble?: boolean }): Promise<{ xml: string }>;
    create(type: string, attrs?: Record<string, unknown>): ModdleElement;
    getPackage(prefix: string): { uri: string; prefix: string } | undefined;
  }
}

declare module 'bpmn-auto-layout' {
  /** Adds diagram interchange (shapes and edges) to a BPMN document that has none. */
  export function layoutProcess(xml: string): Promise<string>;
}
