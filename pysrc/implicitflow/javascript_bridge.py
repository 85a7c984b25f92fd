"""The bridge between Python and a page's JavaScript: data both ways, options read safely,
Python functions JavaScript can call (their errors thrown as `Error`s), Promises, and publishing
the package on `window`. The JavaScript API (`javascript_api`) is written with it.

Brython's `browser` and `javascript` modules are reached through `browser_environment`, the one
module that imports them.
"""

from .browser_environment import aio, is_null, javascript, window


def to_javascript(value):
    """Python data as JavaScript data: dicts to objects, lists to arrays, None to null."""
    if value is None:
        return javascript.NULL
    if isinstance(value, dict):
        result = window.Object.new()
        for key, item in value.items():
            setattr(result, str(key), to_javascript(item))
        return result
    if isinstance(value, (list, tuple)):
        result = window.Array.new()
        for item in value:
            result.push(to_javascript(item))
        return result
    return value


def from_javascript(value):
    """JavaScript data (objects, arrays, strings, numbers) as Python data."""
    return javascript.JSON.parse(window.JSON.stringify(value))


def json_data(value):
    """Python data as JavaScript's JSON.parse makes it, like fetch() results: a big integer
    is a number, not a BigInt that JSON.stringify refuses."""
    return window.JSON.parse(javascript.JSON.stringify(value))


def option(options, name, default=None):
    """`options[name]` of a JavaScript object, or `default` when absent, null or undefined.
    Own properties only: a polluted Object.prototype must not say where the token goes."""
    if is_null(options) or not window.Object.hasOwn(options, name):
        return default
    value = getattr(options, name, None)
    return default if is_null(value) else value


#: A JavaScript wrapper that throws what the wrapped Python function returns as its
#: error. Brython prints a traceback for any exception that reaches JavaScript (and
#: throws a Python exception object, not an Error), so Python never raises across.
#: Properties a page assigned to Object.prototype are made non-enumerable first (their
#: values stay): Brython walks its own objects with for...in, and with them no Python
#: call with keywords and no exception works ("Maximum call stack size exceeded").
_RETHROW_SOURCE = (
    "return function () { for (const name in Object.prototype) { try {"
    " Object.defineProperty(Object.prototype, name, {enumerable: false}); } catch (error) {} }"
    " const outcome = call.apply(this, arguments);"
    " if (outcome.error) { throw outcome.error; } return outcome.value; };"
)


def javascript_error(data):
    """A JavaScript `Error` carrying `data` ({name, kind, message, ...}) as properties."""
    return window.Object.assign(window.Error.new(data["message"]), json_data(data))


def throwing(function, error_to_data):
    """`function` for JavaScript: its result converted, its exceptions thrown as `Error`s."""
    def call(*args):
        try:
            return {"value": to_javascript(function(*args)), "error": javascript.NULL}
        except Exception as error:
            return {"value": javascript.NULL, "error": javascript_error(error_to_data(error))}

    return window.Function.new("call", _RETHROW_SOURCE)(call)


def json_promise(run, error_to_data):
    """`promise()` for a `run` that returns JSON text: JavaScript gets exactly what its own
    JSON.parse makes of it (a `__proto__` key stays a key, big integers stay numbers)."""
    return promise(run, error_to_data).then(window.JSON.parse)


def promise(run, error_to_data):
    """A JavaScript Promise settled by `await run()`; errors reject with `error_to_data(error)`."""
    def executor(resolve, reject):
        async def settle():
            try:
                resolve(to_javascript(await run()))
            except Exception as error:
                reject(json_data(error_to_data(error)))

        aio.run(settle())

    return window.Promise.new(executor)


def publish(name, value, ready_event):
    """Set `window[name]`, resolve `window[name + "Ready"]` and dispatch `ready_event`."""
    setattr(window, name, value)
    resolve_ready = getattr(window, "__" + name + "ResolveReady", None)
    if not is_null(resolve_ready):
        resolve_ready(value)  # the page created the Ready promise before Brython loaded
    else:
        setattr(window, name + "Ready", window.Promise.resolve(value))
    window.dispatchEvent(window.CustomEvent.new(ready_event))
