// The key under which the Design screen hands its asset library to nested fields.
export const ASSETS_CONTEXT = Symbol("tessera-assets");
