/**
 * The inventory as SBOM documents: CycloneDX 1.6 JSON with the CycloneDX project's own library
 * (@cyclonedx/cyclonedx-library: models, normalisation, serialisation), and SPDX 2.3 JSON
 * (https://spdx.github.io/spdx-spec/v2.3/), which is a plain document no maintained Node library writes.
 */
import { randomUUID } from 'node:crypto';
// The library's parts, not its index: the index also loads the schema validators, which find their files by
// __dirname, and the CLI is one ESM bundle without one.
import * as Enums from '@cyclonedx/cyclonedx-library/Enums';
import * as Models from '@cyclonedx/cyclonedx-library/Models';
import * as Serialize from '@cyclonedx/cyclonedx-library/Serialize';
import * as SPDX from '@cyclonedx/cyclonedx-library/SPDX';
import * as Spec from '@cyclonedx/cyclonedx-library/Spec';
import type { Package, PackageInventory } from '../../../shared/types/packages';

export interface SbomSubject {
  reference: string;
  digest: string;
  toolVersion: string;
}

const LICENSE_OPERATORS = new Set(['AND', 'OR', 'WITH']);

/** The license as a valid SPDX expression when every identifier in it is an SPDX license id, else undefined. */
export function spdxExpression(license: string | undefined): string | undefined {
  if (!license) return undefined;
  const tokens = license.replace(/[()]/g, ' ').split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return undefined;
  let expectId = true;
  for (const token of tokens) {
    if (expectId) {
      if (!SPDX.isSupportedSpdxId(token) && !/^LicenseRef-[A-Za-z0-9.-]+$/.test(token)) return undefined;
    } else if (!LICENSE_OPERATORS.has(token) || token === 'WITH') return undefined;
    expectId = !expectId;
  }
  return expectId ? undefined : license;
}

/** One bom-ref per package: a purl can repeat (the same npm package in two folders). */
function references(packages: Package[]): string[] {
  const seen = new Map<string, number>();
  return packages.map((item) => {
    const count = seen.get(item.purl) ?? 0;
    seen.set(item.purl, count + 1);
    return count === 0 ? item.purl : `${item.purl}#${count}`;
  });
}

export function toCycloneDx(inventory: PackageInventory, subject: SbomSubject): unknown {
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${randomUUID()}` });
  bom.metadata.timestamp = new Date();
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'berth', { version: subject.toolVersion }),
  );
  bom.metadata.component = new Models.Component(Enums.ComponentType.Container, subject.reference, {
    version: subject.digest,
    bomRef: subject.digest,
  });
  const refs = references(inventory.packages);
  inventory.packages.forEach((item, index) => {
    const component = new Models.Component(Enums.ComponentType.Library, item.name, {
      version: item.version,
      purl: item.purl,
      bomRef: refs[index],
    });
    const license = item.license;
    if (license) {
      const expression = spdxExpression(license);
      if (expression && SPDX.isSupportedSpdxId(expression)) component.licenses.add(new Models.SpdxLicense(expression));
      else if (expression) component.licenses.add(new Models.LicenseExpression(expression));
      else component.licenses.add(new Models.NamedLicense(license));
    }
    component.properties.add(new Models.Property('berth:layer', item.layer));
    component.properties.add(new Models.Property('berth:location', item.location));
    if (item.source) component.properties.add(new Models.Property('berth:source', item.source));
    bom.components.add(component);
  });
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return JSON.parse(serializer.serialize(bom, { sortLists: false }));
}

/** SPDX ids allow letters, digits, `.` and `-` only. */
function spdxId(prefix: string, index: number, name: string): string {
  return `SPDXRef-${prefix}-${index}-${name.replace(/[^A-Za-z0-9.-]/g, '-')}`.slice(0, 200);
}

export function toSpdx(inventory: PackageInventory, subject: SbomSubject): unknown {
  const imageId = 'SPDXRef-Image';
  const packages = inventory.packages.map((item, index) => {
    const declared = spdxExpression(item.license);
    return {
      name: item.name,
      SPDXID: spdxId('Package', index, item.name),
      versionInfo: item.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: declared ?? 'NOASSERTION',
      ...(item.license && !declared ? { licenseComments: `Declared by the package as: ${item.license}` } : {}),
      copyrightText: 'NOASSERTION',
      sourceInfo: `${item.location} in layer ${item.layer}`,
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: item.purl }],
    };
  });
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: subject.reference,
    documentNamespace: `https://spdx.org/spdxdocs/berth/${subject.digest.replace(':', '-')}-${randomUUID()}`,
    creationInfo: {
      created: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: berth-${subject.toolVersion}`],
    },
    packages: [
      {
        name: subject.reference,
        SPDXID: imageId,
        versionInfo: subject.digest,
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        primaryPackagePurpose: 'CONTAINER',
      },
      ...packages,
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId },
      ...packages.map((item) => ({
        spdxElementId: imageId,
        relationshipType: 'CONTAINS',
        relatedSpdxElement: item.SPDXID,
      })),
    ],
  };
}
