SET standard_conforming_strings = off;
SELECT 'it''s', E'\x27;', 'back\slash';
RESET standard_conforming_strings;
SELECT 'c:\dir';
