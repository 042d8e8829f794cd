"""The rules that read a contract's key facts (issue 15, part 6), one module per job:
`reading` (files to text), `text` (sentences, numbers, dates), `law` (governing law),
`term` (effective date, initial term, expiry) and `renewal` (renewal and its notice).
`agreements.contract_facts` puts them together; nothing here imports it back."""
