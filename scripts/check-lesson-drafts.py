#!/usr/bin/env python3
"""Quick draft check for lesson authors (the real check runs in npm test)."""
import re, sys, yaml, pathlib
seed = pathlib.Path(__file__).resolve().parents[2].joinpath('shared/seed').glob('*.txt')
seed_words = []
for f in seed:
    seed_words += re.findall(r"[a-z0-9']+", f.read_text().lower().replace('\u2019', "'"))
seed_runs = {' '.join(seed_words[i:i+10]) for i in range(len(seed_words) - 9)}
bad = 0
for path in sys.argv[1:]:
    text = pathlib.Path(path).read_text()
    m = re.match(r'^---\n(.*?)\n---\n(.*)$', text, re.S)
    if not m:
        print(path, 'no frontmatter'); bad += 1; continue
    fm = yaml.safe_load(m.group(1)); body = m.group(2)
    body_text = '\n'.join(l for l in body.splitlines() if not l.startswith('import '))
    body_text = re.sub(r'<[^>]*>', ' ', body_text)
    words = len(re.findall(r"[\w'’-]+", body_text))
    q = len(fm.get('check', []))
    expected = words / 200 + 0.5 * q
    problems = []
    if abs(fm['minutes'] - expected) > 1: problems.append(f'minutes {fm["minutes"]} but text needs {expected:.1f}')
    if not 2 <= q <= 3: problems.append('needs 2-3 questions')
    for i, qq in enumerate(fm.get('check', [])):
        opts = qq['options']
        if not 3 <= len(opts) <= 5: problems.append(f'q{i+1} needs 3-5 options')
        if sum(1 for o in opts if o.get('correct')) != 1: problems.append(f'q{i+1} needs exactly one correct')
        if any(not o.get('feedback') for o in opts): problems.append(f'q{i+1} option without feedback')
    if not 2 <= len(fm.get('objectives', [])) <= 3: problems.append('2-3 objectives')
    if not 2 <= len(fm.get('huddle', [])) <= 4: problems.append('2-4 huddle prompts')
    if '<NextShift>' not in body: problems.append('no <NextShift>')
    lw = re.findall(r"[a-z0-9']+", body.lower().replace('\u2019', "'"))
    for i in range(len(lw) - 9):
        if ' '.join(lw[i:i+10]) in seed_runs: problems.append('copies seed: ' + ' '.join(lw[i:i+10]))
    print(f'{path}: {words} words, {q} questions, minutes {fm["minutes"]} (text says {expected:.1f})', '; '.join(problems) or 'OK')
    bad += bool(problems)
sys.exit(1 if bad else 0)
