"""The core of the tree: interning and traversal (`expr`), kinds (`kinds`),
facts (`facts`), the node classes (`nodes`), their constructors
(`constructors`), their order (`order`), sizes (`measure`) and the row
registry every stage fills (`rows`).  It imports no other symdiff module but
`errors`; `symdiff.expr` re-exports what the stages use."""
