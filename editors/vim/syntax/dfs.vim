" Vim syntax file for dfaas-run scenario files (*.dfs).
" Follows grammar/dfs.pest: the keyword lists are checked against its kw_* rules by
" tests/editor_keywords.rs and editors/test/keywords.test.mjs, so the two cannot drift.

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
" Keywords and names may contain `-` (max-rate, keep-alive, node-1).
syn iskeyword @,48-57,_,-

" Any other name: a reference to a node, attack or function, or a format name.
syn match dfsName /\<\h\k*/

" Keywords. `syn match` rather than `syn keyword`, so that the declared names, methods and metrics
" below take precedence where they apply (a later match wins at the same position).
" Declarations and the words that order steps:
syn match dfsKeywordControl /\<\%(scenario\|import\|let\|node\|function\|health\|deploy\|teardown\)\>/
syn match dfsKeywordControl /\<\%(wait\|attack\|report\|expect\|notify\|stages\|ramp\|hold\|step\)\>/
syn match dfsKeywordControl /\<\%(after\|on\|over\|for\|by\|when\)\>/
" Properties and options:
syn match dfsKeywordOther /\<\%(url\|header\|embedded\|demo\|latency\|errors\|max-rate\|forward-to\)\>/
syn match dfsKeywordOther /\<\%(server\|gateway\|user\|password\|status\|body\|contains\|matches\)\>/
syn match dfsKeywordOther /\<\%(json\|every\|within\|consecutive\|tries\|timeout\|image\|service\)\>/
syn match dfsKeywordOther /\<\%(label\|env\|off\|retries\|delay\|duration\|rate\|workers\)\>/
syn match dfsKeywordOther /\<\%(max-in-flight\|connections\|keep-alive\|http2\|insecure\|success\)\>/
syn match dfsKeywordOther /\<\%(record\|targets\|request\|file\|feeder\|csv\|cycle\|once\|random\)\>/
syn match dfsKeywordOther /\<\%(formats\|plots\|template\|as\|output\|webhook\|always\|failure\)\>/
" Literal values:
syn match dfsConstant /\<\%(true\|false\|null\)\>/

" Declared names: the word after node, attack, function and let.
syn match dfsNodeName /\%(\<node\s\+\)\@<=\h\k*/
syn match dfsAttackName /\%(\<attack\s\+\)\@<=\h\k*/
syn match dfsFunctionName /\%(\<function\s\+\)\@<=\h\k*/
syn match dfsLetName /\%(\<let\s\+\)\@<=\h\k*/

" `request GET "/path"`: the method.
syn match dfsMethod /\%(\<request\s\+\)\@<=\a[[:alpha:]-]*\>/

" `expect p99(spike) < 250ms`: the metric, then its target (an attack, or all).
syn match dfsMetric /\<\a\w*\%(\.\d\+\)*\ze\s*(/
syn region dfsMetricArgs matchgroup=dfsParen start=/(/ end=/)/ oneline contains=dfsAll,dfsName
syn match dfsAll /\<all\>/ contained

" Numbers and unit literals, the unit included. A later match wins at the same position.
syn match dfsNumber /\%(\w\|\.\)\@1<!-\=\d[0-9_]*\%(\.\d[0-9_]*\)\=\%(\w\|\/\|%\)\@!/
syn match dfsDuration /\%(\w\|\.\)\@1<!-\=\%(\d[0-9_]*\%(\.\d[0-9_]*\)\=\%(ms\|us\|µs\|ns\|s\|m\|h\)\)\+\w\@!/
syn match dfsDuration /\%(\.\.\)\@2<=\%(\d[0-9_]*\%(\.\d[0-9_]*\)\=\%(ms\|us\|µs\|ns\|s\|m\|h\)\)\+\w\@!/
syn match dfsRate /\%(\w\|\.\)\@1<!-\=\d[0-9_]*\%(\.\d[0-9_]*\)\=\/[smh]\w\@!/
syn match dfsPercent /\%(\w\|\.\)\@1<!-\=\d[0-9_]*\%(\.\d[0-9_]*\)\=%/
syn match dfsSize /\%(\w\|\.\)\@1<!\d[0-9_]*\%(KiB\|MiB\|GiB\|KB\|MB\|GB\|B\)\w\@!/
syn match dfsStatus /\%(\w\|\.\)\@1<![1-9]xx\w\@!/
syn match dfsStatus /\%(\w\|\.\)\@1<!\d[0-9_]*\.\.\d[0-9_]*\%(\w\|\.\)\@!/

" Operators and punctuation.
syn match dfsOperator /->\|<=\|>=\|==\|!=\|<\|>\|=\|\.\./

" Interpolation: `${NAME}` and `${NAME:-default}`, also inside strings.
syn match dfsInterpolation /\${\h\w*\%(:-[^}]*\)\=}/
syn match dfsBadInterpolation /\${\%(\h\w*\%(:-[^}]*\)\=}\)\@![^}"]*}\=/

" Strings: "..." with escapes, and """...""" raw strings (no escapes). Request templates
" ({{ seq }}) are shown apart; the language sees them as text.
syn match dfsEscape /\\\%(["\\ntr$]\|u{\x\{1,6}}\)/ contained
syn match dfsBadEscape /\\\%(["\\ntr$]\|u{\x\{1,6}}\)\@!.\=/ contained
syn match dfsTemplate /{{.\{-}}}/ contained
syn region dfsString start=/"/ skip=/\\\\\|\\"/ end=/"\|$/ contains=dfsEscape,dfsBadEscape,dfsInterpolation,dfsBadInterpolation,dfsTemplate
syn region dfsRawString start=/"""/ end=/"""/ contains=dfsInterpolation,dfsBadInterpolation,dfsTemplate

" Comments.
syn keyword dfsTodo TODO FIXME XXX NOTE contained
syn match dfsComment /#.*$/ contains=dfsTodo,@Spell

hi def link dfsName Identifier
hi def link dfsKeywordControl Statement
hi def link dfsKeywordOther Keyword
hi def link dfsConstant Boolean
hi def link dfsNodeName Type
hi def link dfsAttackName Function
hi def link dfsFunctionName Type
hi def link dfsLetName Identifier
hi def link dfsMethod Function
hi def link dfsMetric Function
hi def link dfsAll Constant
hi def link dfsParen Delimiter
hi def link dfsNumber Number
hi def link dfsDuration Number
hi def link dfsRate Number
hi def link dfsPercent Number
hi def link dfsSize Number
hi def link dfsStatus Number
hi def link dfsOperator Operator
hi def link dfsInterpolation PreProc
hi def link dfsBadInterpolation Error
hi def link dfsEscape SpecialChar
hi def link dfsBadEscape Error
hi def link dfsTemplate Special
hi def link dfsString String
hi def link dfsRawString String
hi def link dfsTodo Todo
hi def link dfsComment Comment

let b:current_syntax = 'dfs'

let &cpo = s:cpo_save
unlet s:cpo_save
