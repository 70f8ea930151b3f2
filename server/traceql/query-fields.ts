import type { FieldExpr, FieldRef, Pipeline, SpansetExpr } from './ast';
import { fieldMany, intrinsicOf } from './intrinsics';

/**
 * What a query reads, so storage reads only those columns. `structural`: the query relates spans
 * (structural operators, `span:childCount`) and needs every span's ID and parent ID. `events` /
 * `links`: it reads events or links (their attributes or intrinsics).
 */
export interface QueryFields {
  refs: FieldRef[];
  structural: boolean;
  events: boolean;
  links: boolean;
}

/** The fields a pipeline reads, each once, in the order the query names them. */
export function queryFields(pipeline: Pipeline): QueryFields {
  const refs: FieldRef[] = [];
  const seen = new Set<string>();
  const fields: QueryFields = { refs, structural: false, events: false, links: false };
  const add = (ref: FieldRef): void => {
    const key = `${ref.scope}\u0000${ref.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    refs.push(ref);
    const many = fieldMany(ref);
    if (many === 'event') fields.events = true;
    if (many === 'link') fields.links = true;
    if (intrinsicOf(ref)?.structural) fields.structural = true;
  };
  const visitExpr = (expr: FieldExpr): void => {
    switch (expr.kind) {
      case 'field':
      case 'exists':
        add(expr.field);
        return;
      case 'compare':
      case 'logical':
        visitExpr(expr.left);
        visitExpr(expr.right);
        return;
      case 'not':
        visitExpr(expr.operand);
        return;
    }
  };
  const visitSpanset = (expr: SpansetExpr): void => {
    if (expr.kind === 'filter') visitExpr(expr.expr);
    else if (expr.kind === 'pipeline') visitPipeline(expr.pipeline);
    else {
      if (expr.op !== '&&' && expr.op !== '||') fields.structural = true;
      visitSpanset(expr.left);
      visitSpanset(expr.right);
    }
  };
  const visitPipeline = (p: Pipeline): void => {
    for (const stage of p.stages) {
      if (stage.kind === 'spanset') visitSpanset(stage.expr);
      else if (stage.kind === 'scalarFilter' && stage.aggregate.field) add(stage.aggregate.field);
      else if (stage.kind === 'by') add(stage.field);
      else if (stage.kind === 'select') stage.fields.forEach(add);
    }
  };
  visitPipeline(pipeline);
  return fields;
}
