// Renders every icon size the installers need from the one vector original, assets/icon.svg:
// PNGs for Linux (assets/build/icons/NxN.png), a 1024 PNG that electron-builder turns into macOS .icns,
// and a multi-size .ico for Windows. Run after changing the SVG: `node scripts/make-icons.mjs`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import pngToIco from 'png-to-ico';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const svg = readFileSync('assets/icon.svg');

function render(size) {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
}

mkdirSync('assets/build/icons', { recursive: true });
const pngs = new Map(ICON_SIZES.map((size) => [size, render(size)]));
for (const [size, png] of pngs) writeFileSync(`assets/build/icons/${size}x${size}.png`, png);
writeFileSync('assets/build/icon.png', pngs.get(1024));
writeFileSync('assets/build/icon.ico', await pngToIco([16, 24, 32, 48, 64, 128, 256].map((s) => pngs.get(s))));
console.log(`icons: ${ICON_SIZES.join(', ')} px, icon.png, icon.ico`);
