// Stands in for sharp (libvips, LGPL-3.0, 19 MB) in the server image (Dockerfile): transformers.js imports it for
// images, which the NPC's brain never reads, and will not load without one there.
export default function sharp() {
  throw new Error("images are not supported here: the server image has no sharp (npc/no-sharp, THIRD_PARTY_NOTICES.md)");
}
