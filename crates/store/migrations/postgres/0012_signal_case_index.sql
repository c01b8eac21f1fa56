-- Early signalling: a case is found through its signals (`signals_by_household`, then the
-- case by primary key), never by household key alone. The intake writes a case for almost
-- every new signal, and this second index on random pseudonym keys only cost time on every
-- batch (`leefwijk bench signals`, docs/performance.md).
DROP INDEX signal_cases_by_household;
