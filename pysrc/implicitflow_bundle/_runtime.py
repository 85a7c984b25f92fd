"""brython_runtime.js: the brython.js shipped, without Brython's compiler.

Made where it is needed (build.py for web/dist, `implicitflow bundle --app` or `--no-compiler`
for an app) from the brython.js beside it, by cutting text: no tool is needed, and every copy is
the same bytes.
"""


class RuntimeCutError(Exception):
    """This brython.js does not mark its compiler chain as Brython 3.15.0 does."""


#: The runtime without Brython's compiler: brython.js from its first marker to its second one
#: (Brython 3.15.0 marks its parser, symbol table and their helpers with them) replaced by
#: NO_COMPILER, which puts in their place the names the rest of brython.js calls them by. A
#: page that tries to compile Python under it (an inline script, exec, eval, compile, the ast
#: module, importing a .py source) gets one RuntimeError that says what to load instead. The
#: caret line of a traceback re-parses a line of source: it goes without, as a traceback
#: from a line Brython could not re-parse does.
RUNTIME = "brython_runtime.js"
CHAIN_START = "// >>> brython compiler chain"
CHAIN_END = "// <<< brython compiler chain"
NO_COMPILER = r"""// >>> brython compiler chain: cut out by implicitflow (brython_runtime.js)
"use strict";
(function($B){var _b_=$B.builtins
var USE_FULL_RUNTIME="this page loads brython_runtime.js, Brython without its compiler, "+
"which runs only Python compiled ahead of time (implicitflow bundle DEST --app PATH). "+
"For inline <script type=\"text/python\">, exec(), eval(), compile(), the ast module or "+
"a .py module imported from source, load the full brython.js instead "+
"(implicitflow bundle DEST, without --app)"
function refuse(filename){
if(filename==="test"||filename==="<debug>"){throw Error("no compiler to re-parse a traceback's line")}
$B.RAISE(_b_.RuntimeError,"Brython cannot compile "+(filename||"Python")+": "+USE_FULL_RUNTIME)}
$B.Parser=function(src,filename){refuse(filename)}
$B._PyPegen={run_parser:function(parser){refuse(parser&&parser.filename)}}
$B._PySymtable_Build=function(ast,filename){refuse(filename)}
$B.python_keywords={}
$B.compiler_cut=true})(__BRYTHON__)
"""


def without_compiler(brython_js):
    """brython.js without its compiler chain (see RUNTIME)."""
    if brython_js.count(CHAIN_START) != 1 or brython_js.count(CHAIN_END) != 1:
        raise RuntimeCutError(f"brython.js does not mark its compiler chain once with {CHAIN_START!r} "
                              f"and {CHAIN_END!r} (Brython 3.15.0 does): no runtime without the "
                              "compiler")
    start, end = brython_js.index(CHAIN_START), brython_js.index(CHAIN_END)
    if end < start:
        raise RuntimeCutError("brython.js's compiler chain ends before it starts")
    return brython_js[:start] + NO_COMPILER + brython_js[end:]
