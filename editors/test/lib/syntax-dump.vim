" Writes the Vim syntax groups of the current buffer to $DFS_SYNTAX_DUMP, one line per buffer line:
" runs of `GROUP=text` separated by ` | ` (text without a group is left out). Used by vim.test.mjs.
function! s:Dump(out) abort
  let lines = []
  for lnum in range(1, line('$'))
    let text = getline(lnum)
    let runs = []
    let col = 1
    while col <= strlen(text)
      let name = synIDattr(synID(lnum, col, 1), 'name')
      let start = col
      while col <= strlen(text) && synIDattr(synID(lnum, col, 1), 'name') ==# name
        let col += 1
      endwhile
      if name !=# ''
        call add(runs, name . '=' . strpart(text, start - 1, col - start))
      endif
    endwhile
    call add(lines, join(runs, ' | '))
  endfor
  call writefile(lines, a:out)
endfunction
call s:Dump($DFS_SYNTAX_DUMP)
qall!
