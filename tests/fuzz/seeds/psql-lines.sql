\restrict abc
CREATE TABLE t (x int);
\unrestrict abc
COPY t FROM stdin;
1
\.
