/*
 * glibc keeps freed heap pages on its free lists instead of handing them back, so a process that
 * peaked while loading a channel library (Baileys, discord.js) stays resident at that peak. This
 * Node-API addon exposes malloc_trim(0), which returns every whole free page of every arena.
 *
 * The few Node-API declarations are written out here instead of including node_api.h, so building
 * needs only a C compiler, not Node's headers; Node-API's ABI is stable across Node versions, so
 * one build serves Node 20, 22 and 24. Off glibc the addon reports `false` and does nothing.
 */
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h> /* defines __GLIBC__ on glibc */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status;
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

extern napi_status napi_create_function(napi_env env, const char *name, size_t length, napi_callback cb, void *data, napi_value *result);
extern napi_status napi_set_named_property(napi_env env, napi_value object, const char *name, napi_value value);
extern napi_status napi_get_boolean(napi_env env, bool value, napi_value *result);

static napi_value trim(napi_env env, napi_callback_info info) {
  (void)info;
  bool released = false;
#if defined(__GLIBC__)
  released = malloc_trim(0) == 1;
#endif
  napi_value result = NULL;
  napi_get_boolean(env, released, &result);
  return result;
}

__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value fn = NULL;
  if (napi_create_function(env, "mallocTrim", (size_t)-1, trim, NULL, &fn) == 0) napi_set_named_property(env, exports, "mallocTrim", fn);
  return exports;
}

__attribute__((visibility("default"))) int node_api_module_get_api_version_v1(void) { return 8; }
