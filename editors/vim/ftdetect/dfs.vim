" Vim filetype detection for dfaas-run scenario files (*.dfs).
" Part of dfaas-run's editor support: editors/vim/README.md says how to install it.
autocmd BufNewFile,BufRead *.dfs setfiletype dfs
