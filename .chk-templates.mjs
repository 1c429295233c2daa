// throwaway checker (deleted after use)
import {parse} from '@bufbuild/cel'
import {parse as yparse} from 'yaml'
import fs from 'node:fs'
const dir = process.argv[2]
const files = fs.readdirSync(dir).filter(f => f.endsWith('.journey.yaml'))
function idents(e, out) {
  if (!e || typeof e !== 'object') return
  if (e.exprKind?.case === 'identExpr') out.add(e.exprKind.value.name)
  for (const v of Object.values(e)) { if (Array.isArray(v)) v.forEach(x=>idents(x,out)); else if (v && typeof v==='object') idents(v,out) }
}
for (const f of files) {
  const j = yparse(fs.readFileSync(`${dir}/${f}`,'utf8'), {uniqueKeys:true})
  const probs=[]
  const cel=(expr, allowed, where)=>{ try { const p=parse(expr); const s=new Set(); idents(p.expr??p,s); for (const v of s) if(!allowed.includes(v)) probs.push(`${where}: var ${v}`)} catch(e){probs.push(`${where}: parse ${e.message}`)} }
  const base=['profile','journey','now']
  const hasEv = !!j.entry.event
  if (j.entry.when) cel(j.entry.when,[...base,'event'],'entry.when')
  if (j.entry.segment) cel(j.entry.segment,base,'segment')
  if (j.entry.schedule?.audience) cel(j.entry.schedule.audience,base,'audience')
  for (const x of j.exit??[]) if (x.when) cel(x.when, x.event?[...base,'event']:base,'exit')
  if (j.settings?.consent) cel(j.settings.consent,[...base,'channel', ...(hasEv?['event']:[])],'consent')
  const ids=j.steps.map(s=>s.id); const known=new Set([...ids,'end'])
  const succ={}
  j.steps.forEach((s,i)=>{
    const nx = s.next ?? (ids[i+1] ?? 'end')
    const ev = hasEv?['event']:[]
    let out=[]
    if (s.branch){ out=[...s.branch.cases.map(c=>c.next), s.branch.else]; s.branch.cases.forEach(c=>cel(c.when,[...base,...ev],s.id)); if(s.next) probs.push('next on branch') }
    else if (s.split){ out=s.split.map(v=>v.next); if (s.split.reduce((a,v)=>a+v.percent,0)!==100) probs.push('split sum') }
    else if (s.wait_for){ out=[nx, s.wait_for.on_timeout]; if (s.wait_for.when) cel(s.wait_for.when,[...base,'event'],s.id)}
    else out=[nx]
    if (s.send){ for (const v of Object.values(s.send.data??{})) cel(v,[...base,...ev],s.id); if(!['email','sms','push','in_app','webhook'].includes(s.send.channel)) probs.push('channel') }
    if (s.update){ for (const v of Object.values(s.update.set)) cel(v,[...base,...ev],s.id) }
    for (const o of out) if(!known.has(o)) probs.push(`${s.id}: unknown ${o}`)
    succ[s.id]=out.filter(o=>o!=='end')
  })
  const seen=new Set(); const st=[ids[0]]; while(st.length){const x=st.pop(); if(seen.has(x))continue; seen.add(x); st.push(...succ[x])}
  for (const id of ids) if(!seen.has(id)) probs.push(`unreachable ${id}`)
  const testf = `${dir}/${f.replace('.journey.yaml','.test.yaml')}`
  if (fs.existsSync(testf)) { const t=yparse(fs.readFileSync(testf,'utf8'),{uniqueKeys:true}); if(t.journey!==j.id) probs.push('test journey id '+t.journey); for(const c of t.cases){ for(const p of c.expect?.path??[]) if(!ids.includes(p)) probs.push(`test ${c.name}: step ${p}`); for(const [k,v] of Object.entries(c.variants??{})) { const s=j.steps.find(s=>s.id===k); if(!s?.split?.some(x=>x.variant===v)) probs.push('variant '+k)} } } else probs.push('no test')
  const tpls = j.steps.filter(s=>s.send).map(s=>`${s.send.channel}:${s.send.template}`)
  console.log(f, j.id, probs.length?probs:'OK', tpls.join(' '))
}
