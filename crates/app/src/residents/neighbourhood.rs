//! The public neighbourhood page: what a resident sees of their buurt without signing in.
