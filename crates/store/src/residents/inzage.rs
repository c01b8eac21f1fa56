//! Storage of AVG inzage requests and the lookups that gather what is held under a pseudonym.
