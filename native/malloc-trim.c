/*
 * glibc keeps freed heap pages on its free lists instead of handing them back, so a process that
 * peaked while loading a channel library (Baileys, discord.js) stays resident at that peak. This
 * Node-API addon exposes malloc_trim(0), which returns every whole free page of every arena, and
 * mallopt() to hold the mmap and trim thresholds fixed: by default glibc raises both each time a
 * large block is freed (up to 32 / 64 MB), and malloc_trim never shrinks a thread arena's top, so
 * the free tail a V8 compiler thread left behind (5 MB each after Baileys loads) stayed resident.
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
extern napi_status napi_get_cb_info(napi_env env, napi_callback_info cbinfo, size_t *argc, napi_value *argv, napi_value *this_arg, void **data);
extern napi_status napi_get_value_int64(napi_env env, napi_value value, long long *result);

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

/* holdThresholds(bytes): blocks of at least `bytes` get their own mapping (returned on free), and
 * an arena's free top above `bytes` is returned on the next free; both stay fixed from now on. */
static napi_value hold_thresholds(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL};
  long long bytes = 0;
  bool held = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == 0 && argc >= 1 && napi_get_value_int64(env, argv[0], &bytes) == 0 && bytes > 0 && bytes <= (1LL << 30)) {
#if defined(__GLIBC__)
    held = mallopt(M_MMAP_THRESHOLD, (int)bytes) == 1 && mallopt(M_TRIM_THRESHOLD, (int)bytes) == 1;
#endif
  }
  napi_value result = NULL;
  napi_get_boolean(env, held, &result);
  return result;
}

__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value fn = NULL;
  if (napi_create_function(env, "mallocTrim", (size_t)-1, trim, NULL, &fn) == 0) napi_set_named_property(env, exports, "mallocTrim", fn);
  if (napi_create_function(env, "holdThresholds", (size_t)-1, hold_thresholds, NULL, &fn) == 0) napi_set_named_property(env, exports, "holdThresholds", fn);
  return exports;
}

__attribute__((visibility("default"))) int node_api_module_get_api_version_v1(void) { return 8; }
